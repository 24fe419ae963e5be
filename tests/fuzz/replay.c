/* The replay driver shared by every harness: `make unit` links it with tests/fuzz/fuzz_X.c
 * into build/fuzz/replay_X, which tests/run.sh runs over the corpus and the saved crashers.
 * Arguments are files or directories; dot files (.gitkeep) and subdirectories are skipped. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len = -1;

	if (fp != NULL && fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		/* An exact-size heap copy, so that ASan sees any read past the end. */
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (buf != NULL && fread(buf, 1, (size_t)len, fp) != (size_t)len)
			len = -1;
	}
	if (fp != NULL)
		fclose(fp);
	if (buf == NULL || len < 0) {
		free(buf);
		printf("not ok - replay %s (cannot read)\n", path);
		return 1;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	printf("ok - replay %s\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		struct stat sb;
		char path[4096];

		if (d == NULL) {
			failed |= replay_file(argv[i]);
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
				continue;
			failed |= replay_file(path);
		}
		closedir(d);
	}
	return failed;
}
