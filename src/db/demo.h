/* What only the demo data of `make run` needs from the database (esonrctl demo). */
#ifndef ESONR_DEMO_H
#define ESONR_DEMO_H
#include "db/db.h"

/* Νίκος's L1 session of June 2024, recorded after the fact, with his booking: the ids of
 * the session, the booking and the demo examiner. */
enum db_status demo_past_session(struct arena *a, const char **session_id, const char **booking_id,
    const char **examiner_id);
/* Whether any exam session exists (the demo adds its sessions once). */
enum db_status demo_has_sessions(struct arena *a, int *any);
/* The date days from now, YYYY-MM-DD. */
enum db_status demo_date_in(struct arena *a, int days, const char **date);

#endif
