#include "web/handlers.h"

void page_dashboard(struct request *req)
{
	struct tdict *d = http_page(req, "Dashboard");
	http_render(req, 200, "dashboard", d);
}
