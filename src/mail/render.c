#include "mail/render.h"

#include <string.h>

#include "core/template.h"
#include "domain/ics.h"
#include "mail/message.h"

static const char *payload_value(const struct outbox_message *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0)
			return m->values[i];
	return NULL;
}

static const char *payload_column(void *ctx, const char *name)
{
	const char *v = payload_value(ctx, name);
	return v != NULL ? v : "";
}

int mail_render(struct buf *out, const struct outbox_message *m, const struct mail_settings *s,
    const char **why)
{
	struct arena *a = out->arena;
	struct tdict *d = tdict_new(a);
	for (size_t i = 0; i < m->n; i++)
		tdict_set(d, m->keys[i], m->values[i]);
	tdict_set(d, "base_url", s->base_url);
	tdict_set(d, "to_addr", m->to_addr);

	struct buf text;
	buf_init(&text, a);
	if (template_render_text(&text, m->kind, d) != 0) {
		*why = arena_printf(a, "no mail template %s", m->kind);
		return -1;
	}
	const char *t = text.data;
	while (*t == '\n')
		t++;
	if (strncmp(t, "Subject: ", 9) != 0 || strchr(t, '\n') == NULL) {
		*why = arena_printf(a, "mail template %s does not start with a Subject: line", m->kind);
		return -1;
	}
	const char *nl = strchr(t, '\n');
	const char *subject = arena_strndup(a, t + 9, (size_t)(nl - t - 9));
	const char *body = nl + 1;
	while (*body == '\n')
		body++;

	struct buf html;
	buf_init(&html, a);
	mail_text_to_html(&html, body, subject);

	struct mail_message msg = {
		.from_name = s->from_name, .from_addr = s->from_addr,
		.to_name = m->to_name, .to_addr = m->to_addr,
		.subject = subject, .date = m->created_rfc5322, .message_id = m->message_id,
		.text = body, .html = html.data,
		.boundary = arena_printf(a, "%lld", m->id),
	};
	if (payload_value(m, "ics_uid") != NULL) {
		struct ics_event ev;
		ics_booking_event(a, &ev, payload_column, (void *)m, 1);
		ev.organizer_name = s->from_name;
		ev.organizer_addr = s->from_addr;
		ev.attendee_name = m->to_name;
		ev.attendee_addr = m->to_addr;
		struct buf ics;
		buf_init(&ics, a);
		ics_build(&ics, &ev);
		msg.ics = ics.data;
		msg.ics_method = ev.method;
	}
	mail_build(out, &msg);
	return 0;
}
