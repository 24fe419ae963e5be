#include "sign/signer_client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* Rendering and signing take milliseconds; a signer stuck longer than this is down. */
#define SIGNER_TIMEOUT_SECONDS 20

static char socket_path[512] = "./var/signer/signer.sock";

void signer_configure(const char *path)
{
	snprintf(socket_path, sizeof socket_path, "%s", path);
}

enum signer_answer signer_issue(const char *number, char *why, size_t whylen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof addr.sun_path) {
		snprintf(why, whylen, "the signer's socket path is too long");
		return SIGNER_UNREACHABLE;
	}
	memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		snprintf(why, whylen, "the signer is not running (%s: %s)", socket_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return SIGNER_UNREACHABLE;
	}
	struct timeval tv = { .tv_sec = SIGNER_TIMEOUT_SECONDS };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	char line[600];
	int n = snprintf(line, sizeof line, "ISSUE %s\n", number);
	if (n <= 0 || (size_t)n >= sizeof line || send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		snprintf(why, whylen, "the signer did not take the request");
		close(fd);
		return SIGNER_UNREACHABLE;
	}
	size_t got = 0;
	while (got < sizeof line - 1) {
		ssize_t r = recv(fd, line + got, sizeof line - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(line, '\n', got) != NULL)
			break;
	}
	close(fd);
	line[got] = '\0';
	char *nl = strchr(line, '\n');
	if (nl == NULL) {
		snprintf(why, whylen, "the signer did not answer");
		return SIGNER_UNREACHABLE;
	}
	*nl = '\0';
	if (strcmp(line, "OK") == 0 || strcmp(line, "DONE") == 0)
		return SIGNER_SIGNED;
	snprintf(why, whylen, "%s", strncmp(line, "NO ", 3) == 0 ? line + 3 : "the signer's answer is malformed");
	return SIGNER_REFUSED;
}
