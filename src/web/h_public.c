/* The landing page, for everyone. */
#include "web/handlers.h"

void page_home(struct request *req)
{
	struct tdict *d = http_page(req, "European School of Neuroradiology");
	http_render(req, 200, "home", d);
}
