/* Test support: see testsupport.h. */
#include "tests/support/testsupport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/options.h>
#include <libxml/catalog.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

const char *ts_shared_dir(void)
{
	static char buf[4096];
	const char *d = LIS_TEST_SHARED_DIR;
	if (!d[0])
		return NULL;
	snprintf(buf, sizeof buf, "%s/schemas/held-pidflo-all.xsd", d);
	if (access(buf, R_OK) != 0)
		return NULL;
	return d;
}

const char *ts_source_dir(void)
{
	return LIS_TEST_SOURCE_DIR;
}

const char *ts_bin(const char *name)
{
	static char bufs[8][4096];
	static int slot;
	char *b = bufs[slot++ % 8];
	snprintf(b, 4096, "%s/%s", LIS_TEST_BIN_DIR, name);
	return b;
}

bool ts_valgrind(void)
{
	static int on = -1;
	if (on < 0) {
		const char *e = getenv("LIS_TEST_VALGRIND");
		on = e && e[0] && strcmp(e, "0") != 0;
	}
	return on;
}

bool ts_instrumented(void)
{
	const char *other = getenv("LIS_TEST_LISD");
	return ts_valgrind() || (other && other[0]);
}

int ts_ms(int ms)
{
	return ts_instrumented() ? ms * 20 : ms;
}

/* The lisd the tests run: $LIS_TEST_LISD (e.g. a ThreadSanitizer build) or ours. */
static const char *lisd_bin(void)
{
	const char *other = getenv("LIS_TEST_LISD");
	return other && other[0] ? other : ts_bin("lisd");
}

/* Exit status valgrind reports its findings with; no project binary uses it. */
#define VG_EXIT 97

/*
 * Under LIS_TEST_VALGRIND, prefixes argv with valgrind memcheck when argv[0]
 * is one of the project's binaries; its report goes to logdir/valgrind-PID.log.
 * out has room for max entries; returns out or argv unchanged.
 */
static const char *const *vg_wrap(const char *const argv[], const char *logdir, const char **out,
                                  size_t max, char *logopt, size_t logoptlen)
{
	static const char *const opts[] = {"valgrind",
	                                   "--quiet",
	                                   "--error-exitcode=97",
	                                   "--leak-check=full",
	                                   "--show-leak-kinds=definite",
	                                   "--errors-for-leak-kinds=definite",
	                                   "--num-callers=30",
	                                   "--child-silent-after-fork=yes"};
	const size_t nopt = sizeof opts / sizeof *opts;
	if (!ts_valgrind() ||
	    strncmp(argv[0], LIS_TEST_BIN_DIR "/", strlen(LIS_TEST_BIN_DIR) + 1) != 0)
		return argv;
	size_t n = 0;
	while (argv[n])
		n++;
	if (nopt + 2 + n + 1 > max)
		return argv;
	size_t k = 0;
	out[k++] = "/usr/bin/valgrind";
	for (size_t i = 1; i < nopt; i++)
		out[k++] = opts[i];
	snprintf(logopt, logoptlen, "--log-file=%s/valgrind-%%p.log", logdir);
	out[k++] = logopt;
	for (size_t i = 0; i <= n; i++)
		out[k++] = argv[i];
	return out;
}

/* Every file matching dir/pattern concatenated (malloc'd, maybe empty). */
static char *vg_reports_glob(const char *dir, const char *pattern)
{
	char *all = strdup("");
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "cat %s/%s 2>/dev/null", dir, pattern);
	FILE *p = popen(cmd, "r");
	if (!p)
		return all;
	char buf[4096];
	size_t n = 0, r;
	while ((r = fread(buf, 1, sizeof buf, p)) > 0) {
		char *g = realloc(all, n + r + 1);
		if (!g)
			break;
		all = g;
		memcpy(all + n, buf, r);
		n += r;
		all[n] = 0;
	}
	pclose(p);
	return all;
}

static char *vg_reports(const char *dir)
{
	return vg_reports_glob(dir, "valgrind-*.log");
}

/*
 * Valgrind findings are written to a folder named in LIS_TEST_VG_FOUND, set
 * by the runner process before any test is forked, and counted as a failure
 * by main below: Criterion counts neither an assertion nor a crash in a
 * suite's .fini, which is where LISD_SUITE stops its lisd.
 */
__attribute__((constructor)) static void vg_found_dir(void)
{
	if (!ts_valgrind() || getenv("LIS_TEST_VG_FOUND"))
		return;
	char tmpl[] = "/tmp/openlis-vg-found-XXXXXX";
	if (mkdtemp(tmpl))
		setenv("LIS_TEST_VG_FOUND", tmpl, 1);
}

static void vg_fail(const char *prog, const char *report, const char *log)
{
	const char *dir = getenv("LIS_TEST_VG_FOUND");
	char path[4200];
	snprintf(path, sizeof path, "%s/%d.txt", dir ? dir : "/tmp", (int)getpid());
	FILE *f = fopen(path, "a");
	if (f) {
		fprintf(f, "valgrind found errors in %s:\n%s\n%s's output:\n%s\n", prog, report,
		        prog, log ? log : "");
		fclose(f);
	}
	cr_assert_fail("valgrind found errors in %s:\n%s", prog, report);
}

/* Criterion's own main, plus the valgrind findings the runner must count. */
int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0, h = criterion_handle_args(argc, argv, true);
	if (h > 0)
		result = !criterion_run_all_tests(tests);
	else if (h < 0)
		result = 1;
	criterion_finalize(tests);
	const char *dir = getenv("LIS_TEST_VG_FOUND");
	if (ts_valgrind() && dir) {
		char *found = vg_reports_glob(dir, "*.txt");
		if (found[0]) {
			fprintf(stderr, "%s\nFAILED: valgrind memcheck found errors (above)\n",
			        found);
			result = 1;
		}
		free(found);
		ts_rmtree(dir);
	}
	return result;
}

char *ts_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/openlis-test-XXXXXX", base && base[0] ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	cr_assert_not_null(d, "mkdtemp: %s", strerror(errno));
	return strdup(d);
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void ts_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

char *ts_write_file(const char *dir, const char *name, const char *content)
{
	char *path = NULL;
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(content, f);
	fclose(f);
	return path;
}

char *ts_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	size_t r;
	while (b && (r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2) {
			cap *= 2;
			b = realloc(b, cap);
		}
	}
	fclose(f);
	if (!b)
		return NULL;
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

/* Reads a whole fd into a malloc'd NUL-terminated string. */
static char *slurp_fd(int fd)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	for (;;) {
		if (cap - n < 2) {
			cap *= 2;
			b = realloc(b, cap);
		}
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	b[n] = 0;
	return b;
}

int ts_run(const char *const argv[], const char *stdin_text, char **out, char **err)
{
	const char *wrapped[96];
	char logopt[4200];
	const char *prog = argv[0];
	char *vgdir = ts_valgrind() ? ts_mkdtemp() : NULL;
	if (vgdir)
		argv = vg_wrap(argv, vgdir, wrapped, 96, logopt, sizeof logopt);
	char outpath[] = "/tmp/openlis-run-out-XXXXXX";
	char errpath[] = "/tmp/openlis-run-err-XXXXXX";
	int ofd = mkstemp(outpath), efd = mkstemp(errpath);
	cr_assert(ofd >= 0 && efd >= 0);
	unlink(outpath);
	unlink(errpath);
	int in[2];
	cr_assert_eq(pipe(in), 0);
	pid_t pid = fork();
	if (pid < 0)
		cr_assert_fail("fork: %s", strerror(errno)); /* never assert in the child */
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		close(in[1]);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	if (stdin_text) {
		size_t len = strlen(stdin_text), off = 0;
		signal(SIGPIPE, SIG_IGN);
		while (off < len) {
			ssize_t w = write(in[1], stdin_text + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	close(in[1]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	if (out)
		*out = slurp_fd(ofd);
	if (err)
		*err = slurp_fd(efd);
	close(ofd);
	close(efd);
	if (vgdir) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == VG_EXIT) {
			char *rep = vg_reports(vgdir);
			ts_rmtree(vgdir);
			vg_fail(prog, rep, err ? *err : NULL);
		}
		ts_rmtree(vgdir);
		free(vgdir);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int ts_run_tool(const char *name, char **out, char **err, ...)
{
	const char *argv[64];
	int n = 0;
	argv[n++] = ts_bin(name);
	va_list ap;
	va_start(ap, err);
	for (const char *a; n < 63 && (a = va_arg(ap, const char *));)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	free(*out);
	free(*err);
	*out = *err = NULL;
	return ts_run(argv, NULL, out, err);
}

/* ---------------- schema validation ------------------------------------ */

static xmlSchemaPtr g_schema;
static int g_schema_state; /* 0 untried, 1 loaded, -1 unavailable */
static char g_verr[512];

static void verr_cb(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	if (g_verr[0])
		return; /* keep the first error */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_verr, sizeof g_verr, fmt, ap);
	va_end(ap);
}

/* proto_global_init() may have installed a loader that refuses everything;
 * schemas are local files, so validation swaps in the default loader. */
static int load_schema(void)
{
	if (g_schema_state)
		return g_schema_state;
	const char *shared = ts_shared_dir();
	if (!shared)
		return g_schema_state = -1;
	char driver[4096], catalog[4096];
	snprintf(driver, sizeof driver, "%s/schemas/held-pidflo-all.xsd", shared);
	snprintf(catalog, sizeof catalog, "%s/schemas/catalog.xml", shared);
	xmlInitParser();
	xmlLoadCatalog(catalog);

	xmlExternalEntityLoader saved = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(driver);
	xmlSchemaSetParserErrors(pc, verr_cb, verr_cb, NULL);
	g_schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	xmlSetExternalEntityLoader(saved);
	g_verr[0] = 0;
	return g_schema_state = g_schema ? 1 : -1;
}

/* The driver of ../shared has no import for our own namespace; heldplus.xsd
 * is checked separately by validating the hp: subtree when present. */
static xmlSchemaPtr g_plus;
static int g_plus_state;

static xmlSchemaPtr load_plus(void)
{
	if (g_plus_state)
		return g_plus;
	g_plus_state = 1;
	char plus[4096];
	snprintf(plus, sizeof plus, "%s/proto/heldplus.xsd", ts_source_dir());
	if (access(plus, R_OK) != 0)
		return NULL;
	xmlExternalEntityLoader saved = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(plus);
	xmlSchemaSetParserErrors(pc, verr_cb, verr_cb, NULL);
	g_plus = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	xmlSetExternalEntityLoader(saved);
	return g_plus;
}

static int validate_plus_subtrees(xmlNodePtr n, char *err, size_t errlen)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns &&
		    strcmp((const char *)n->ns->href, "urn:openlis:params:xml:ns:held-plus") == 0) {
			xmlSchemaPtr s = load_plus();
			cr_assert_not_null(s, "proto/heldplus.xsd does not compile: %s", g_verr);
			xmlDocPtr d = xmlNewDoc((const xmlChar *)"1.0");
			xmlDocSetRootElement(d, xmlDocCopyNode(n, d, 1));
			xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
			g_verr[0] = 0;
			xmlSchemaSetValidErrors(vc, verr_cb, verr_cb, NULL);
			int rc = xmlSchemaValidateDoc(vc, d);
			xmlSchemaFreeValidCtxt(vc);
			xmlFreeDoc(d);
			if (rc != 0) {
				snprintf(err, errlen, "held-plus: %s", g_verr);
				return 1;
			}
			continue;
		}
		if (validate_plus_subtrees(n->children, err, errlen))
			return 1;
	}
	return 0;
}

int ts_validate(const char *xml, size_t len, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	if (load_schema() < 0)
		return -1;
	xmlExternalEntityLoader saved = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
	g_verr[0] = 0;
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, "response.xml", NULL, XML_PARSE_NONET);
	int rc;
	if (!doc) {
		snprintf(err, errlen, "not well-formed");
		rc = 1;
		goto out;
	}
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(g_schema);
	xmlSchemaSetValidErrors(vc, verr_cb, verr_cb, NULL);
	rc = xmlSchemaValidateDoc(vc, doc) == 0 ? 0 : 1;
	xmlSchemaFreeValidCtxt(vc);
	if (rc)
		snprintf(err, errlen, "%s", g_verr);
	else
		rc = validate_plus_subtrees(xmlDocGetRootElement(doc), err, errlen);
	xmlFreeDoc(doc);
out:
	xmlSetExternalEntityLoader(saved);
	return rc;
}

/* ---------------- HTTP ------------------------------------------------- */

void ts_http_resp_free(ts_http_resp_t *r)
{
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof *r);
}

char *ts_http_header(const ts_http_resp_t *r, const char *name)
{
	size_t nl = strlen(name);
	const char *p = r->headers;
	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return strndup(v, (size_t)(eol - v));
		}
		p = *eol ? eol + 2 : eol;
	}
	return NULL;
}

static int connect_port(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int ts_http(int port, const char *method, const char *path, const char *extra_headers,
            const char *body, size_t body_len, ts_http_resp_t *out)
{
	memset(out, 0, sizeof *out);
	int fd = connect_port(port);
	if (fd < 0)
		return -1;
	char *req = NULL;
	int n = asprintf(&req,
	                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s"
	                 "Content-Length: %zu\r\n\r\n",
	                 method, path, port, extra_headers ? extra_headers : "",
	                 body ? body_len : (size_t)0);
	int rc = -1;
	if (n < 0 || send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		goto out;
	size_t off = 0;
	while (body && off < body_len) {
		ssize_t w = send(fd, body + off, body_len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may answer (413) before reading it all */
		off += (size_t)w;
	}
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, ts_ms(5000)) <= 0)
			break;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	char *hend = strstr(buf, "\r\n\r\n");
	if (!hend || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
		free(buf);
		goto out;
	}
	char *line_end = strstr(buf, "\r\n");
	out->headers = strndup(line_end + 2, (size_t)(hend + 2 - (line_end + 2)));
	out->body_len = len - (size_t)(hend + 4 - buf);
	out->body = malloc(out->body_len + 1);
	memcpy(out->body, hend + 4, out->body_len);
	out->body[out->body_len] = 0;
	free(buf);
	rc = 0;
out:
	free(req);
	close(fd);
	return rc;
}

/* ---------------- lisd ------------------------------------------------- */

int ts_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	return ntohs(sa.sin_port);
}

static char *replace_port(const char *text, int port)
{
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	size_t cap = strlen(text) * 2 + 64, n = 0;
	char *o = malloc(cap);
	for (const char *p = text; *p;) {
		if (strncmp(p, "@PORT@", 6) == 0) {
			n += (size_t)sprintf(o + n, "%s", ps);
			p += 6;
		} else {
			o[n++] = *p++;
		}
	}
	o[n] = 0;
	return o;
}

/* Every lisd started and not yet stopped, so a skipped or failed test cannot
 * leave one running. */
static pid_t g_running[64];

static void track(pid_t pid, bool on)
{
	static bool hooked;
	if (!hooked) {
		atexit(ts_stop_all);
		hooked = true;
	}
	for (size_t i = 0; i < sizeof g_running / sizeof *g_running; i++) {
		if (on && g_running[i] == 0) {
			g_running[i] = pid;
			return;
		}
		if (!on && g_running[i] == pid) {
			g_running[i] = 0;
			return;
		}
	}
}

void ts_stop_all(void)
{
	for (size_t i = 0; i < sizeof g_running / sizeof *g_running; i++) {
		if (g_running[i] > 0) {
			kill(g_running[i], SIGKILL);
			waitpid(g_running[i], NULL, 0);
			g_running[i] = 0;
		}
	}
}

void ts_lisd_start(ts_lisd_t *l, const char *db, const char *config_yaml,
                   const char *const *extra_args)
{
	memset(l, 0, sizeof *l);
	l->dir = ts_mkdtemp();
	cr_assert(asprintf(&l->log, "%s/lisd.log", l->dir) > 0);
	char listen[64];
	char *cfgpath = NULL;
	for (int attempt = 0; attempt < 5; attempt++) {
		l->port = ts_free_port();
		snprintf(listen, sizeof listen, "127.0.0.1:%d", l->port);
		const char *argv[64];
		int ac = 0;
		argv[ac++] = lisd_bin();
		if (config_yaml) {
			char *cfg = replace_port(config_yaml, l->port);
			free(cfgpath);
			cfgpath = ts_write_file(l->dir, "lisd.yaml", cfg);
			free(cfg);
			argv[ac++] = "--config";
			argv[ac++] = cfgpath;
		} else {
			argv[ac++] = "--db";
			argv[ac++] = db;
			argv[ac++] = "--listen";
			argv[ac++] = listen;
		}
		for (int i = 0; extra_args && extra_args[i] && ac < 62; i++)
			argv[ac++] = extra_args[i];
		argv[ac] = NULL;
		const char *wrapped[96];
		char logopt[4200];
		const char *const *run = vg_wrap(argv, l->dir, wrapped, 96, logopt, sizeof logopt);
		pid_t pid = fork();
		if (pid < 0)
			cr_assert_fail("fork: %s", strerror(errno)); /* never assert in the child */
		if (pid == 0) {
			int fd = open(l->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
			dup2(fd, 2);
			dup2(fd, 1);
			execv(run[0], (char *const *)run);
			_exit(127);
		}
		l->pid = pid;
		track(pid, true);
		for (int i = 0, tries = ts_ms(10000) / 50; i < tries; i++) {
			ts_http_resp_t r;
			if (ts_http(l->port, "GET", "/healthz", NULL, NULL, 0, &r) == 0) {
				int st = r.status;
				ts_http_resp_free(&r);
				if (st == 200 || (db == NULL && st == 503)) {
					free(cfgpath);
					return;
				}
			}
			int status;
			if (waitpid(pid, &status, WNOHANG) == pid) {
				track(pid, false);
				l->pid = 0;
				break; /* died: maybe the port was taken; retry */
			}
			usleep(50000);
		}
		if (l->pid) {
			track(l->pid, false);
			kill(l->pid, SIGKILL);
			waitpid(l->pid, NULL, 0);
			l->pid = 0;
		}
	}
	char *log = ts_read_file(l->log, NULL);
	cr_assert_fail("lisd did not become healthy; its log:\n%s", log ? log : "(none)");
}

int ts_lisd_stop(ts_lisd_t *l)
{
	int status = 0;
	if (l->pid > 0) {
		track(l->pid, false);
		kill(l->pid, SIGTERM);
		for (int i = 0, tries = ts_ms(5000) / 50; i < tries; i++) {
			if (waitpid(l->pid, &status, WNOHANG) == l->pid)
				break;
			usleep(50000);
			if (i == tries - 1) {
				kill(l->pid, SIGKILL);
				waitpid(l->pid, &status, 0);
			}
		}
	}
	l->pid = 0;
	if (ts_valgrind() && WIFEXITED(status) && WEXITSTATUS(status) == VG_EXIT) {
		char *rep = vg_reports(l->dir);
		char *log = ts_read_file(l->log, NULL);
		ts_rmtree(l->dir);
		vg_fail("lisd", rep, log);
	}
	ts_rmtree(l->dir);
	free(l->dir);
	free(l->log);
	l->dir = l->log = NULL;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ts_rmdb(const char *db)
{
	if (!db)
		return;
	ts_rmtree(db);
	static const char *const beside[] = {"-nomadic", "-events"};
	for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
		char path[4200];
		snprintf(path, sizeof path, "%s%s", db, beside[i]);
		ts_rmtree(path);
	}
}

void ts_import_yaml(const char *db, const char *yaml_text, const char *const *extra_args)
{
	char *dir = ts_mkdtemp();
	char *path = ts_write_file(dir, "site.yaml", yaml_text);
	const char *argv[32];
	int ac = 0;
	argv[ac++] = ts_bin("wiremap");
	argv[ac++] = "import";
	argv[ac++] = "--db";
	argv[ac++] = db;
	for (int i = 0; extra_args && extra_args[i] && ac < 29; i++)
		argv[ac++] = extra_args[i];
	argv[ac++] = path;
	argv[ac] = NULL;
	char *out = NULL, *err = NULL;
	int rc = ts_run(argv, NULL, &out, &err);
	cr_assert_eq(rc, 0, "wiremap import failed (%d): %s%s", rc, out, err);
	free(out);
	free(err);
	free(path);
	ts_rmtree(dir);
	free(dir);
}
