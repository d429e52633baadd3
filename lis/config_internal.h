/*
 * What config.c and config_tenants.c share while loading lisd.yaml: the
 * loader state and its error reporting.
 */
#ifndef OPENLIS_LIS_CONFIG_INTERNAL_H
#define OPENLIS_LIS_CONFIG_INTERNAL_H

#include <yaml.h>

#include "lis/lis_internal.h"

typedef struct {
	lis_config_t *c;
	const char *file;
	wm_diag_t *diag;
	yaml_document_t *doc;
	unsigned *seen; /* per key table entry: the line where it was set (duplicates) */
	size_t errors;
} loader_t;

__attribute__((format(printf, 4, 5))) void lis_cfg_err(loader_t *L, const yaml_node_t *n,
                                                       const char *key, const char *fmt, ...);
/** A scalar node's text and length, or NULL for another node. */
const char *lis_cfg_scalar(const yaml_node_t *n, size_t *len);
bool lis_cfg_scalar_is_null(const yaml_node_t *n);

/** The tenants: list (config_tenants.c): replaces c->tenants. */
void lis_cfg_load_tenants(loader_t *L, yaml_node_t *v);
void lis_cfg_tenant_free(lis_tenant_cfg_t *t);
void lis_cfg_tenants_clear(lis_config_t *c);

#endif
