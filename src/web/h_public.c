#include "web/handlers.h"

void fail_db(struct request *req, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		http_error(req, 503, "The portal's database cannot be reached right now. "
		    "Nothing was changed; please try again in a minute.");
	else
		http_error(req, 500, "Something went wrong on our side and nothing was changed. "
		    "Please try again; if it keeps happening, contact the ESNR office.");
}

void page_home(struct request *req)
{
	struct tdict *d = http_page(req, "European School of Neuroradiology");
	http_render(req, 200, "home", d);
}
