/* A fastboot board that costs nothing: U-Boot's getvar answers, every
 * download read into one buffer and thrown away, every other command OKAY.
 * `k1fw flash` into it measures the host alone (reading the image, its
 * bitmap, building the pieces, the TCP writes), which the emulator cannot:
 * it writes every byte it receives, on the same cores.
 * Usage: bench_null_board READY_FILE  (127.0.0.1:PORT is written there;
 * it serves until killed). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (4u << 20)

static uint8_t buf[BUF];

static int get(int fd, void *p, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = recv(fd, (uint8_t *)p + got, n - got, 0);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int reply(int fd, const char *msg)
{
	uint8_t head[8];
	uint64_t n = strlen(msg);
	for (int i = 0; i < 8; i++)
		head[i] = (uint8_t)(n >> (56 - 8 * i));
	return send(fd, head, 8, MSG_MORE) == 8 && send(fd, msg, n, 0) == (ssize_t)n ? 0 : -1;
}

static uint64_t frame_len(const uint8_t h[8])
{
	uint64_t n = 0;
	for (int i = 0; i < 8; i++)
		n = n << 8 | h[i];
	return n;
}

/* the data phase: frames until want bytes, discarded */
static int swallow(int fd, uint64_t want)
{
	uint8_t h[8];
	while (want) {
		if (get(fd, h, 8))
			return -1;
		uint64_t n = frame_len(h);
		if (n > want)
			return -1;
		want -= n;
		while (n) {
			size_t k = n < BUF ? (size_t)n : BUF;
			if (get(fd, buf, k))
				return -1;
			n -= k;
		}
	}
	return 0;
}

static void serve(int fd)
{
	uint8_t h[8];
	char cmd[80], out[80];

	if (get(fd, h, 4) || memcmp(h, "FB01", 4) || send(fd, "FB01", 4, 0) != 4)
		return;
	while (!get(fd, h, 8)) {
		uint64_t n = frame_len(h);
		if (n >= sizeof(cmd) || get(fd, cmd, (size_t)n))
			return;
		cmd[n] = '\0';
		if (!strncmp(cmd, "download:", 9)) {
			uint64_t len = strtoull(cmd + 9, NULL, 16);
			snprintf(out, sizeof(out), "DATA%08" PRIx64, len);
			if (reply(fd, out) || swallow(fd, len) || reply(fd, "OKAY"))
				return;
			continue;
		}
		const char *r = !strcmp(cmd, "getvar:max-download-size") ? "OKAY0x10000000"
				: !strcmp(cmd, "getvar:version-bootloader")
					? "OKAYU-Boot 2022.10 (null board)"
				: !strncmp(cmd, "getvar:", 7) ? "FAILVariable not implemented"
							      : "OKAY";
		if (reply(fd, r) || !strcmp(cmd, "reboot"))
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
	FILE *f;

	if (argc != 2 || s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4) ||
	    getsockname(s, (struct sockaddr *)&a, &al)) {
		fprintf(stderr, "usage: bench_null_board READY_FILE\n");
		return 2;
	}
	if (!(f = fopen(argv[1], "w")))
		return 2;
	fprintf(f, "127.0.0.1:%u\n", ntohs(a.sin_port));
	fclose(f);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(c);
		close(c);
	}
}
