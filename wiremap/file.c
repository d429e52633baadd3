/* Reading a whole input file (wiremap YAML and CSV) into memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "wiremap/wiremap_internal.h"

int wm_read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *b;
	int rc = 0;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b) {
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (!b)
		rc = -ENOMEM;
	else if (ferror(f))
		rc = -EIO;
	fclose(f);
	if (rc < 0) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = n;
	return 0;
}
