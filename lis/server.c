/*
 * The daemon's skeleton: listening sockets, TLS contexts, worker threads,
 * the control loop (signals, the one-second store poll) and one shutdown
 * path in reverse order of start-up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "lis/lis_internal.h"

static int bind_one(const lis_listen_t *l, char *err, size_t errlen)
{
	int one = 1;
	int fd = socket(l->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "listen %s: socket: %s", l->addr, strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (l->sa.ss_family == AF_INET6) /* [::]:80 and 0.0.0.0:80 may both be listed */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&l->sa, l->salen) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		snprintf(err, errlen, "listen %s: %s", l->addr, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* Descriptors lisd needs besides its connections: listeners, the store and
 * outbox, log and events files, webhook sockets, the event loops. */
#define FD_RESERVE 128

/*
 * Every connection is a descriptor: lift the soft RLIMIT_NOFILE up to what
 * limits.max_connections needs (never past the hard limit, which is the
 * operator's: LimitNOFILE= in deploy/lisd.service). Past the limit accept()
 * fails with EMFILE; http.c then pauses accepting instead of spinning.
 */
static void raise_fd_limit(const lis_config_t *cfg)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)cfg->max_connections + FD_RESERVE;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		lis_log(LIS_LOG_WARN,
		        "open files limit is %llu: fewer than limits.max_connections (%u) + %u; "
		        "connections past it wait until others close (raise LimitNOFILE or "
		        "ulimit -n)",
		        (unsigned long long)rl.rlim_cur, cfg->max_connections, FD_RESERVE);
}

int lis_server_new(const lis_config_t *cfg, lis_server_t **out, char *err, size_t errlen)
{
	lis_server_t *s = calloc(1, sizeof *s);
	int rc = 0;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->cfg = cfg;
	atomic_init(&s->draining, false);
	lis_handler_init(&s->handler, cfg);
	if ((rc = lis_handler_setup(&s->handler, cfg, err, errlen)) != 0)
		goto out;
	/* Event sinks right after the config: a file or outbox that cannot be
	 * opened is a configuration error (exit 78), found before any bind. */
	if ((rc = lis_events_open(cfg, &s->events, err, errlen)) != 0) {
		rc = LIS_ECONFIG;
		goto out;
	}
	if (evthread_use_pthreads() != 0) {
		snprintf(err, errlen, "libevent has no pthread support");
		rc = -ENOSYS;
		goto out;
	}
	s->fds = malloc((cfg->n_listen + 1) * sizeof *s->fds);
	s->ctxs = calloc(cfg->n_listen + 1, sizeof *s->ctxs);
	if (!s->fds || !s->ctxs)
		abort();
	for (size_t i = 0; i < cfg->n_listen; i++)
		s->fds[i] = -1;
	for (size_t i = 0; i < cfg->n_listen; i++)
		if (cfg->listen[i].tls &&
		    !(s->ctxs[i] = lis_tls_ctx_new(&cfg->listen[i], err, errlen))) {
			rc = LIS_ETLS;
			goto out;
		}
	/* A tenant with deref.auth: mtls -> every https listener asks for a
	 * client certificate (RFC 5808 §4.1); deref.c checks it per tenant. */
	if (s->handler.refs && s->handler.refs->any_mtls)
		for (size_t i = 0; i < cfg->n_listen; i++)
			if (s->ctxs[i])
				lis_tls_request_client_cert(s->ctxs[i]);
	raise_fd_limit(cfg);
	/* config -> store -> bind: the index is built before the first accept. */
	s->reloader = lis_reloader_new(cfg->db);
	for (size_t i = 0; i < cfg->n_listen; i++) {
		int fd = bind_one(&cfg->listen[i], err, errlen);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
		s->fds[i] = fd;
	}
out:
	if (rc) {
		lis_server_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ---------------- privileges --------------------------------------------- */

int lis_drop_privileges(const lis_config_t *cfg, char *err, size_t errlen)
{
	if (!cfg->user) {
		if (geteuid() == 0)
			lis_log(LIS_LOG_WARN, "running as root: set user: in the configuration so "
			                      "lisd drops privileges after binding");
		return 0;
	}
	/* Single-threaded here (no worker started yet): getpwnam's static
	 * result and setuid apply to the whole process. */
	const struct passwd *pw = getpwnam(cfg->user);
	if (!pw) {
		snprintf(err, errlen, "user: no such user \"%s\"", cfg->user);
		return LIS_ECONFIG;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (cfg->group) {
		const struct group *gr = getgrnam(cfg->group);
		if (!gr) {
			snprintf(err, errlen, "group: no such group \"%s\"", cfg->group);
			return LIS_ECONFIG;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (geteuid() == uid && getuid() == uid && getegid() == gid)
			return 0; /* already started as that user (systemd User=) */
		snprintf(err, errlen,
		         "user: lisd runs as uid %u and cannot switch to \"%s\"; start it as root "
		         "or remove user:",
		         (unsigned)geteuid(), cfg->user);
		return LIS_ECONFIG;
	}
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot drop privileges to %s (uid %u, gid %u): %s",
		         cfg->user, (unsigned)uid, (unsigned)gid, strerror(e));
		return -e;
	}
	/* An unprivileged user must not be able to get root back. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0 || (gid != 0 && setgid(0) == 0))) {
		snprintf(err, errlen, "dropped to %s but could regain root; refusing to run",
		         cfg->user);
		return -EPERM;
	}
	lis_log(LIS_LOG_INFO, "running as user %s (uid %u, gid %u)", cfg->user, (unsigned)uid,
	        (unsigned)gid);
	return 0;
}

/* ---------------- control loop ------------------------------------------- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	lis_server_t *s = arg;
	lis_reloader_tick(s->reloader, false);
}

static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	lis_server_t *s = arg;
	lis_log(LIS_LOG_INFO, "SIGHUP: rebuilding the wiremap index, reopening events.file");
	lis_reloader_tick(s->reloader, true);
	lis_events_reopen(s->events);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
	lis_server_t *s = arg;
	if (atomic_exchange(&s->draining, true))
		return;
	lis_log(LIS_LOG_INFO, "%s: draining in-flight requests and stopping",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	for (size_t i = 0; i < s->n_workers; i++)
		event_active(s->workers[i].stop_ev, EV_TIMEOUT, 0);
	event_base_loopbreak(s->ctl);
}

int lis_server_run(lis_server_t *s)
{
	const lis_config_t *cfg = s->cfg;
	char err[256];
	sigset_t block, old;
	struct event *evs[4] = {0};
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	if (!(s->ctl = event_base_new()))
		return -ENOMEM;
	s->workers = calloc(cfg->workers, sizeof *s->workers);
	if (!s->workers)
		return -ENOMEM;
	for (unsigned i = 0; i < cfg->workers; i++) {
		rc = lis_worker_init(&s->workers[i], s, i, err, sizeof err);
		s->n_workers = i + 1;
		if (rc) {
			lis_log(LIS_LOG_ERROR, "%s", err);
			return rc;
		}
	}

	if ((rc = lis_events_start(s->events)) != 0) {
		lis_log(LIS_LOG_ERROR, "cannot start event delivery: %s", lis_strerror(rc));
		return rc;
	}

	/* Handlers first, so a SIGTERM during start-up already drains. */
	evs[0] = evsignal_new(s->ctl, SIGTERM, on_term, s);
	evs[1] = evsignal_new(s->ctl, SIGINT, on_term, s);
	evs[2] = evsignal_new(s->ctl, SIGHUP, on_hup, s);
	evs[3] = event_new(s->ctl, -1, EV_PERSIST, on_tick, s);
	struct timeval second = {1, 0};
	for (int i = 0; i < 3; i++)
		event_add(evs[i], NULL);
	event_add(evs[3], &second);

	/* Workers never see process signals; the control loop does. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	size_t started = 0;
	for (; started < s->n_workers; started++)
		if (pthread_create(&s->workers[started].thread, NULL, lis_worker_main,
		                   &s->workers[started]) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started < s->n_workers) {
		lis_log(LIS_LOG_ERROR, "cannot start worker threads");
		rc = -EAGAIN;
		atomic_store(&s->draining, true);
		for (size_t i = 0; i < started; i++)
			event_active(s->workers[i].stop_ev, EV_TIMEOUT, 0);
		goto join;
	}

	for (size_t i = 0; i < cfg->n_listen; i++)
		lis_log(LIS_LOG_INFO, "listening on %s://%s%s",
		        cfg->listen[i].tls ? "https" : "http", cfg->listen[i].addr,
		        cfg->listen[i].client_ca ? " (client certificates required)" : "");
	lis_log(LIS_LOG_INFO, "lisd %s serving %s with %zu worker%s", LIS_VERSION, cfg->db,
	        s->n_workers, s->n_workers == 1 ? "" : "s");
	event_base_loop(s->ctl, EVLOOP_NO_EXIT_ON_EMPTY);

join:
	for (size_t i = 0; i < started; i++)
		pthread_join(s->workers[i].thread, NULL);
	lis_reloader_join(s->reloader);
	for (int i = 0; i < 4; i++)
		if (evs[i])
			event_free(evs[i]);
	if (rc == 0)
		lis_log(LIS_LOG_INFO, "stopped");
	return rc;
}

void lis_server_free(lis_server_t *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_workers; i++)
		lis_worker_deinit(&s->workers[i]);
	free(s->workers);
	if (s->fds)
		for (size_t i = 0; i < s->cfg->n_listen; i++)
			if (s->fds[i] >= 0)
				close(s->fds[i]);
	free(s->fds);
	if (s->ctxs)
		for (size_t i = 0; i < s->cfg->n_listen; i++)
			SSL_CTX_free(s->ctxs[i]);
	free(s->ctxs);
	lis_reloader_free(s->reloader);
	/* After the workers: every answered request's event is in the outbox. */
	lis_events_close(s->events);
	lis_handler_deinit(&s->handler);
	if (s->ctl)
		event_base_free(s->ctl);
	free(s);
}
