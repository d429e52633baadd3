/*
 * The project-wide error space: lis_strerror() and the one place LMDB
 * return codes are translated (Knot's err_to_knot idea).
 */
#include <errno.h>
#include <string.h>

#include <lmdb.h>

#include "wiremap/wiremap.h"

const char *lis_strerror(int err)
{
	switch (err) {
	case LIS_OK:
		return "success";
	case LIS_EDATA:
		return "invalid input data";
	case LIS_EVERSION:
		return "wiremap database has an unsupported format version";
	case LIS_EFULL:
		return "wiremap database is full (map size reached)";
	case LIS_ECORRUPT:
		return "wiremap database is corrupt";
	case LIS_ESTORE:
		return "wiremap database error";
	case LIS_EXML:
		return "XML not well-formed or not acceptable";
	case LIS_ELIMIT:
		return "size, depth or count limit exceeded";
	case LIS_ECONFIG:
		return "invalid configuration";
	case LIS_ETLS:
		return "TLS setup failed";
	case LIS_ENOTENANT:
		return "tenant unknown or ambiguous";
	case LIS_EBUSY:
		return "wiremap database is locked by another writer";
	default:
		break;
	}
	if (err < 0 && err > -1000)
		return strerror(-err);
	return "unknown error";
}

int wm_err_from_mdb(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return LIS_OK;
	case MDB_MAP_FULL:
		return LIS_EFULL;
	case MDB_VERSION_MISMATCH:
		return LIS_EVERSION;
	case MDB_INVALID:
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
		return LIS_ECORRUPT;
	case MDB_NOTFOUND:
		/* callers treat not-found as an outcome, not an error */
		return LIS_ESTORE;
	default:
		break;
	}
	if (rc > 0)
		return -rc; /* LMDB passes system errors through as errno (its own are negative) */
	return LIS_ESTORE;
}
