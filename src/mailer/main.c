/* esonr-mailer: the stack's sender. Delivers the outbox over SMTP, woken by NOTIFY outbox
 * within a moment of each commit, retrying with back-off while the relay is away.
 *
 * Never twice: a row is claimed (FOR UPDATE SKIP LOCKED) and marked "sending" with a lease
 * before the connection; "handed_over" is written just before libcurl sends the final "."
 * of the data. A sender that dies in "sending" left an incomplete message the server must
 * discard: the row goes back to the queue when the lease ends. One that dies in
 * "handed_over" may have had the message accepted: that row is never resent by itself but
 * shown to the office as failed (it resends with the same Message-ID if it chooses).
 *
 * The parent only restarts the child that does the work (core/daemon.h, as the portal does
 * its workers). */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/daemon.h"
#include "core/template.h"
#include "db/db.h"
#include "db/mail_links.h"
#include "db/outbox.h"
#include "mail/message.h"
#include "mail/render.h"
#include "mail/smtp.h"

#define LEASE_SECONDS 90       /* longer than libcurl's whole-transfer timeout (60 s) */
#define IDLE_WAKE_MS 30000     /* look again even without a notification */
#define RECOVER_EVERY_SECONDS 30
/* A message being handed over finishes first (libcurl gives up after 60 s); stack.sh waits 70. */
#define STOP_GRACE_SECONDS 65
/* While other transactions keep queueing mail (a booking rush: a mail per booking, one every
 * few ms), the sender waits until they have stopped for QUIET_MS, at most BURST_WAIT_MS: the
 * mails then go after the rush instead of taking the database's and the CPU's time that its
 * bookings wait for. A lone mail goes QUIET_MS later. Under load that never pauses, it waits
 * at most every other BURST_WAIT_MS, so that mail still goes out. */
#define QUIET_MS 50
#define BURST_WAIT_MS 3000

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct sender {
	char host[256];
	char claimer[300]; /* host:pid of this sending child, in the rows it claims */
	struct smtp_relay relay;
	struct mail_settings settings;
	struct arena *arena;
	long long current;
};

static int handed_over(void *p)
{
	struct sender *s = p;
	return outbox_mark_handed_over(s->arena, s->current) == DB_OK ? 0 : -1;
}

/* Recording "sent" must not be lost: the message is out, so keep trying. */
static void record_sent(struct sender *s, long long id)
{
	for (int tries = 0; outbox_mark_sent(s->arena, id) != DB_OK; tries++) {
		if (tries % 10 == 0)
			fprintf(stderr, "mailer: message %lld was sent but cannot be marked so yet: %s\n", id,
			    db_error());
		sleep(1);
	}
}

static void deliver(struct sender *s, const struct outbox_message *m)
{
	struct buf msg;
	const char *why;
	char answer[512];
	buf_init(&msg, s->arena);
	if (mail_render(&msg, m, &s->settings, &why) != 0) {
		fprintf(stderr, "mailer: message %lld (%s): %s\n", m->id, m->kind, why);
		outbox_mark_failed(s->arena, m->id, why);
		return;
	}
	s->current = m->id;
	enum smtp_result r = smtp_send(&s->relay, s->settings.from_addr, m->to_addr, msg.data, msg.len,
	    handed_over, s, answer, sizeof answer);
	switch (r) {
	case SMTP_SENT:
		record_sent(s, m->id);
		fprintf(stderr, "mailer: sent message %lld (%s) to %s\n", m->id, m->kind, m->to_addr);
		break;
	case SMTP_RETRY: {
		int wait = mail_backoff_seconds(m->attempts);
		fprintf(stderr, "mailer: message %lld (%s), try %d: %s; next try in %d s\n", m->id, m->kind,
		    m->attempts, answer, wait);
		if (outbox_mark_retry(s->arena, m->id, wait, answer) != DB_OK)
			fprintf(stderr, "mailer: cannot reschedule message %lld: %s (its lease will)\n", m->id,
			    db_error());
		break;
	}
	case SMTP_FAILED:
		fprintf(stderr, "mailer: message %lld (%s) refused for good: %s\n", m->id, m->kind, answer);
		outbox_mark_failed(s->arena, m->id, answer);
		break;
	}
}

static long long monotonic_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits for QUIET_MS without a notification (see QUIET_MS); -1 if the connection broke. */
static int let_burst_pass(long long *next_pause)
{
	long long start = monotonic_ms();
	if (start < *next_pause)
		return 0;
	int r;
	while ((r = db_wait_notify(QUIET_MS)) > 0 && !stop_requested)
		if (monotonic_ms() - start >= BURST_WAIT_MS) {
			*next_pause = monotonic_ms() + BURST_WAIT_MS;
			return 0;
		}
	return r < 0 ? -1 : 0;
}

static int process_alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* A sender of this host that died (killed, crashed) holds rows until their lease ends;
 * it is known dead, so they are taken back now, by the same rules as after a lease. */
static void recover_dead_senders(struct sender *s)
{
	const char **claimers;
	size_t n;
	if (outbox_claimers(s->arena, s->host, &claimers, &n) != DB_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *colon = strrchr(claimers[i], ':');
		long pid = colon != NULL ? strtol(colon + 1, NULL, 10) : 0;
		if (pid <= 0 || pid == (long)getpid() || process_alive(pid))
			continue;
		int requeued = 0, uncertain = 0;
		if (outbox_recover_claimer(s->arena, claimers[i], &requeued, &uncertain) == DB_OK &&
		    (requeued || uncertain))
			fprintf(stderr, "mailer: sender %s is gone: %d message(s) queued again, %d marked "
			    "failed (maybe delivered)\n", claimers[i], requeued, uncertain);
	}
}

static int run(const struct config *cfg, struct sender *s)
{
	int listening = 0, recovered_dead = 0;
	if (gethostname(s->host, sizeof s->host) != 0)
		snprintf(s->host, sizeof s->host, "localhost");
	s->host[sizeof s->host - 1] = '\0';
	snprintf(s->claimer, sizeof s->claimer, "%s:%ld", s->host, (long)getpid());
	time_t last_recover = 0;
	long long next_pause = 0;
	db_configure(cfg->db);
	s->arena = arena_new();
	while (!stop_requested) {
		arena_reset(s->arena);
		if (db_ensure() != 0) {
			listening = 0;
			sleep(1);
			continue;
		}
		if (!listening) {
			if (outbox_listen(s->arena) != DB_OK) {
				sleep(1);
				continue;
			}
			listening = 1;
		}
		/* Other transactions queued mail since the last look: a burst, maybe. */
		int pending = db_wait_notify(0);
		if (pending > 0)
			pending = let_burst_pass(&next_pause);
		if (pending < 0) {
			listening = 0;
			continue;
		}
		if (!recovered_dead) {
			recover_dead_senders(s);
			recovered_dead = 1;
		}
		if (time(NULL) - last_recover >= RECOVER_EVERY_SECONDS) {
			int requeued = 0, uncertain = 0;
			if (outbox_recover(s->arena, &requeued, &uncertain) == DB_OK) {
				last_recover = time(NULL);
				if (requeued || uncertain)
					fprintf(stderr, "mailer: after a stopped sender: %d message(s) queued again, "
					    "%d marked failed (maybe delivered)\n", requeued, uncertain);
			}
		}
		/* Password reset requests become links and mails here, not in the web request,
		 * so that the request looks the same whether or not the account exists. */
		int requests = 0;
		if (mail_link_process_requests(s->arena, &requests) == DB_OK && requests > 0)
			continue;
		struct outbox_message m;
		int found = 0;
		enum db_status st = outbox_claim(s->arena, LEASE_SECONDS, s->claimer, &m, &found);
		if (st == DB_OK && found) {
			deliver(s, &m);
			continue;
		}
		if (st != DB_OK) {
			listening = 0;
			sleep(1);
			continue;
		}
		double due = -1;
		int wait_ms = IDLE_WAKE_MS;
		if (outbox_next_due(s->arena, &due) == DB_OK && due >= 0 && due * 1000 < wait_ms)
			wait_ms = (int)(due * 1000) + 20;
		int woken = db_wait_notify(wait_ms);
		if (woken > 0)
			woken = let_burst_pass(&next_pause);
		if (woken < 0)
			listening = 0;
	}
	db_close();
	arena_free(s->arena);
	return 0;
}

struct child {
	const struct config *cfg;
	struct sender *s;
	struct arena *parent_arena;
};

static pid_t spawn_sender(int slot, void *arg)
{
	const struct child *c = arg;
	(void)slot;
	pid_t pid = fork();
	if (pid == 0) {
		/* the parent's allocations, freed as the parent does at its end (valgrind) */
		int status = run(c->cfg, c->s);
		arena_free(c->parent_arena);
		template_unload();
		_exit(status);
	}
	if (pid < 0)
		perror("mailer: fork");
	return pid;
}

#define MAILER_NICE 10

int main(int argc, char **argv)
{
	struct config cfg;
	int rc = daemon_start(argc, argv, "mailer", &cfg);
	if (rc != 0)
		return rc;
	char dir[600];
	snprintf(dir, sizeof dir, "%s/mail", cfg.templates);
	char err[512];
	if (template_load_dir(dir, err, sizeof err) != 0) {
		fprintf(stderr, "mailer: templates: %s\n", err);
		return 1;
	}
	struct arena *a = arena_new();
	struct sender s = { .relay = { cfg.smtp_url, cfg.smtp_user, cfg.smtp_password } };
	s.settings.base_url = cfg.base_url;
	if (cfg.smtp_url[0] == '\0') {
		fprintf(stderr, "mailer: no smtp_url configured (ESONR_SMTP_URL)\n");
		return 1;
	}
	if (mail_parse_mailbox(a, cfg.mail_from, &s.settings.from_name, &s.settings.from_addr) != 0) {
		fprintf(stderr, "mailer: mail_from is not 'Name <address>' or an address: %s\n",
		    cfg.mail_from);
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "mailer: libsodium failed to initialise\n");
		return 1;
	}
	/* Mail is not waited for as pages are: when both want the CPU (a booking rush sends a
	 * mail per booking), the page workers win it, as the password-hashing pool lets them. */
	if (setpriority(PRIO_PROCESS, 0, MAILER_NICE) != 0)
		fprintf(stderr, "mailer: could not lower its priority: %s\n", strerror(errno));
	if (smtp_global_init() != 0) {
		fprintf(stderr, "mailer: libcurl failed to initialise\n");
		return 1;
	}

	daemon_signals(on_stop);
	fprintf(stderr, "mailer: sending through %s as %s\n", cfg.smtp_url, cfg.mail_from);

	struct child c = { &cfg, &s, a };
	static struct daemon_pool pool = { .name = "mailer", .what = "sender", .n = 1, .start = spawn_sender };
	pool.arg = &c;
	daemon_supervise(&pool, &stop_requested, STOP_GRACE_SECONDS);
	fprintf(stderr, "mailer: stopped\n");
	arena_free(a);
	template_unload();
	return 0;
}
