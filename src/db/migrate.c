#include "db/migrate.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static int is_migration(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && strcmp(d->d_name + n - 4, ".sql") == 0 &&
	    d->d_name[0] >= '0' && d->d_name[0] <= '9';
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);
	size_t n;
	while (s != NULL && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *bigger = realloc(s, cap * 2);
			if (bigger == NULL) {
				free(s);
				s = NULL;
				break;
			}
			s = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (s != NULL)
		s[len] = '\0';
	return s;
}

int migrate_apply(const char *sql_dir, FILE *out, FILE *err)
{
	struct arena *a = arena_new();
	struct dirent **files = NULL;
	int rc = -1, applied = 0, n = 0;
	enum db_status st;

	if (db_script("CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())") != DB_OK) {
		fprintf(err, "migrate: %s\n", db_error());
		goto done;
	}
	n = scandir(sql_dir, &files, is_migration, alphasort);
	if (n < 0) {
		fprintf(err, "migrate: cannot read %s\n", sql_dir);
		n = 0;
		goto done;
	}
	for (int i = 0; i < n; i++) {
		const char *name = files[i]->d_name;
		/* The lock makes two concurrent `migrate` runs take turns instead of clashing. */
		if (db_script("BEGIN; SELECT pg_advisory_xact_lock(4242)") != DB_OK)
			goto fail;
		PGresult *r = db_query(a, &st, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, name);
		if (st != DB_OK)
			goto fail;
		if (db_rows(r) == 1) {
			db_script("ROLLBACK");
			continue;
		}
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", sql_dir, name);
		char *sql = slurp(path);
		if (sql == NULL) {
			fprintf(err, "migrate: cannot read %s\n", path);
			db_script("ROLLBACK");
			goto done;
		}
		st = db_script(sql);
		free(sql);
		if (st != DB_OK) {
			fprintf(err, "migrate: %s failed, nothing of it applied: %s\n", name, db_error());
			db_script("ROLLBACK");
			goto done;
		}
		if (db_exec(a, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, name) != DB_OK ||
		    db_script("COMMIT") != DB_OK)
			goto fail;
		fprintf(out, "applied %s\n", name);
		applied++;
		arena_reset(a);
	}
	if (applied == 0)
		fprintf(out, "schema up to date\n");
	rc = 0;
	goto done;
fail:
	fprintf(err, "migrate: %s\n", db_error());
	db_script("ROLLBACK");
done:
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
	arena_free(a);
	return rc;
}
