/* Request handlers, one file per audience: parse and validate → domain/database → render. */
#ifndef ESONR_HANDLERS_H
#define ESONR_HANDLERS_H
#include "db/db.h"
#include "web/http.h"

/* h_public.c */
void page_home(struct request *req);

/* h_account.c */
void page_register(struct request *req);
extern const struct form_spec form_register, form_login, form_logout;
void post_register(struct request *req);
void page_login(struct request *req);
void post_login(struct request *req);
void post_logout(struct request *req);

/* h_dashboard.c */
void page_dashboard(struct request *req);

/* h_candidate.c */
extern const struct form_spec form_book, form_cancel;
/* Fills the candidate's dashboard: progress, eligibility, bookings. */
enum db_status candidate_dashboard(struct request *req, struct tdict *page);
void page_exams(struct request *req);
void post_book(struct request *req);
void page_booking(struct request *req);
void booking_calendar(struct request *req);
void post_cancel(struct request *req);

/* h_examiner.c */
void page_examiner_session(struct request *req);
extern const struct form_spec form_results, form_results_import, form_publish, form_decision,
    form_resolve, form_amend;
void post_results(struct request *req);
void post_results_import(struct request *req);
void post_publish(struct request *req);
void post_decision(struct request *req);
void post_resolve(struct request *req);
void post_amend(struct request *req);
void page_results(struct request *req);

/* h_certificates.c */
extern const struct form_spec form_verify, form_cert_reason;
void page_certificates(struct request *req);
void certificate_download(struct request *req);
void page_verify_form(struct request *req);
void page_verify_number(struct request *req);
void post_verify(struct request *req);
void page_verify_keys(struct request *req);
void page_verify_keys_list(struct request *req);
void post_cert_revoke(struct request *req);
void post_cert_reissue(struct request *req);

/* h_programme.c */
void page_admin_exams(struct request *req);
extern const struct form_spec form_exam_marks, form_exam_rules, form_rule_retire;
void post_admin_exam_marks(struct request *req);
void post_admin_exam_rules(struct request *req);
void post_admin_rule_retire(struct request *req);

/* h_admin_sessions.c */
extern const struct form_spec form_admin_sessions, form_admin_session_examiners,
    form_admin_session_close;
void page_admin(struct request *req);
void page_admin_sessions(struct request *req);
void post_admin_sessions(struct request *req);
void page_admin_session(struct request *req);
void post_admin_session_examiners(struct request *req);
void post_admin_session_close(struct request *req);

/* h_admin_candidates.c */
extern const struct form_spec form_admin_records, form_admin_attestations, form_admin_candidate_name;
void page_admin_candidates(struct request *req);
void page_admin_candidate(struct request *req);
void post_admin_candidate_records(struct request *req);
void post_admin_candidate_attestations(struct request *req);
void post_admin_candidate_name(struct request *req);

/* h_admin_editions.c */
extern const struct form_spec form_admin_editions;
void page_admin_editions(struct request *req);
void post_admin_editions(struct request *req);

/* h_admin_import.c */
extern const struct form_spec form_admin_import;
void page_admin_import(struct request *req);
void page_admin_audit(struct request *req);
void post_admin_import(struct request *req);

/* h_mail.c */
extern const struct form_spec form_password_forgot, form_password_reset, form_confirm_resend,
    form_mail_retry;
void page_password_forgot(struct request *req);
void post_password_forgot(struct request *req);
void page_password_forgot_sent(struct request *req);
void page_password_reset(struct request *req);
void post_password_reset(struct request *req);
void page_confirm(struct request *req);
void post_confirm_resend(struct request *req);
void page_admin_mail(struct request *req);
void post_admin_mail_retry(struct request *req);

#endif
