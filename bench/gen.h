/*
 * Synthetic wiremap generator shared by gen-wiremap and bench-lookup.
 *
 * Writes a SPEC §2 (format: 1) YAML wiremap of N network elements with a
 * realistic mix, and a query list drawn from it (hits per kind plus misses)
 * in the line format that held-load and bench-lookup read:
 *
 *   @TENANT lldp-port CHASSIS PORT        chassis + port configured
 *   @TENANT bssid MAC                     exact BSSID configured
 *   @TENANT bssid-wild MAC                MAC inside a configured wildcard
 *   @TENANT lldp-chassis CHASSIS PORT     whole switch; PORT not configured
 *   @TENANT ip ADDR                       inside a configured subnet (v4 or v6)
 *   @TENANT gw MAC                        gateway MAC configured
 *   @TENANT did E164                      DID configured
 *   @TENANT miss CHASSIS PORT BSSID IP GW every identifier misses; IP is off-net
 *                                         (192.0.2.0/24 or 3fff::/20, a home
 *                                         network) or, for half of them, inside
 *                                         the tenant's own ranges but in no subnet
 *
 * Deterministic for a given seed. Not thread-safe (one call at a time).
 */
#ifndef OPENLIS_BENCH_GEN_H
#define OPENLIS_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
	size_t elements;    /**< network elements in total (DIDs included) */
	unsigned tenants;   /**< 0 = 1 below 10k elements, else 3 */
	uint64_t seed;      /**< PRNG seed (same seed, same elements) */
	unsigned rev;       /**< revision tag in names: same elements, other text */
	size_t max_queries; /**< hits sampled at most (about); 0 = none */
	unsigned miss_pct;  /**< misses as a percentage of the hit lines */
} gen_opts_t;

typedef struct {
	size_t tenants, buildings, locations;
	size_t lldp_port, bssid, bssid_wild, subnet4, subnet6, lldp_chassis, gateway, did;
	size_t queries;
} gen_stats_t;

/** Sets the defaults (1000 elements, seed 1, 100k queries, 5% misses). */
void gen_opts_default(gen_opts_t *o);

/**
 * Writes the YAML to `yaml` and, when `queries` is not NULL, the query list.
 * Returns 0, or -1 with errno on a write error. `st` may be NULL.
 */
int gen_write(const gen_opts_t *o, FILE *yaml, FILE *queries, gen_stats_t *st);

#endif
