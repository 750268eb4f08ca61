/* Serial ports and pseudo-terminals (serial.h). */
#include "base/serial.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	unsigned baud;
	speed_t code;
} speeds[] = {
	{1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},
	{19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
	{230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},
	{921600, B921600},   {1000000, B1000000}, {1500000, B1500000}, {2000000, B2000000},
	{3000000, B3000000},
};

int k1_serial_parse(const char *spec, struct k1_serial_opts *o, struct k1_error *err)
{
	char frame[8] = "8N1", flow[16] = "";
	unsigned baud;
	int used = 0;
	bool known = false;

	*o = (struct k1_serial_opts){115200, 8, 'N', 1, false};
	if (sscanf(spec, "%u%n", &baud, &used) != 1)
		goto bad;
	if (spec[used] == ',' && sscanf(spec + used + 1, "%7[^,]%*[,]%15s", frame, flow) < 1)
		goto bad;
	if (spec[used] && spec[used] != ',')
		goto bad;
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		known |= speeds[i].baud == baud;
	if (!known)
		return k1_err(err, K1_EINVAL,
			      "serial speed %u: expected a standard rate (1200 ... 3000000)", baud);
	if (strlen(frame) != 3 || frame[0] < '5' || frame[0] > '8' || !strchr("NEO", frame[1]) ||
	    (frame[2] != '1' && frame[2] != '2') || (flow[0] && strcmp(flow, "rtscts")))
		goto bad;
	*o = (struct k1_serial_opts){baud, frame[0] - '0', frame[1], frame[2] - '0', flow[0] != 0};
	return 0;
bad:
	return k1_err(err, K1_EINVAL,
		      "serial settings '%s': expected SPEED[,8N1][,rtscts] (e.g. 115200,8N1)",
		      spec);
}

/* ---- UUCP lock files ---- */

static const char *lock_dir(void)
{
	const char *env = getenv("K1FW_LOCK_DIR");
	if (env && *env)
		return env;
	return access("/run/lock", W_OK) == 0 ? "/run/lock" : "/var/lock";
}

/* LCK..ttyUSB0 for /dev/ttyUSB0, LCK..pts_3 for /dev/pts/3. */
static int lock_name(const char *dev, char *out, size_t n, struct k1_error *err)
{
	char real[PATH_MAX], name[PATH_MAX];
	const char *rel;
	size_t i;

	if (!realpath(dev, real))
		return k1_err(err, K1_ENODEV, "%s: %s", dev, strerror(errno));
	rel = !strncmp(real, "/dev/", 5) ? real + 5 : real;
	for (i = 0; rel[i] && i + 1 < sizeof(name); i++)
		name[i] = rel[i] == '/' ? '_' : rel[i];
	name[i] = '\0';
	if ((size_t)snprintf(out, n, "%s/LCK..%s", lock_dir(), name) >= n)
		return k1_err(err, K1_ERANGE, "%s: lock file name too long", dev);
	return 0;
}

/* The PID in a lock file (ASCII, HDB UUCP style), or 0. */
static long lock_owner(const char *path)
{
	char buf[32] = "";
	long pid = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		pid = strtol(buf, NULL, 10);
	close(fd);
	return pid;
}

int k1_serial_lock(const char *dev, char *lockpath, size_t n, struct k1_error *err)
{
	char text[16];
	int fd, rc;

	lockpath[0] = '\0';
	if ((rc = lock_name(dev, lockpath, n, err)))
		return rc;
	for (int tries = 0; tries < 2; tries++) {
		fd = open(lockpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			break;
		if (errno == EEXIST) {
			long pid = lock_owner(lockpath);
			if (pid > 0 && pid != getpid() &&
			    (kill((pid_t)pid, 0) == 0 || errno == EPERM))
				return k1_err(err, K1_EACCES,
					      "%s is in use: locked by process %ld (%s)", dev, pid,
					      lockpath);
			unlink(lockpath); /* stale: its owner is gone */
			continue;
		}
		lockpath[0] = '\0'; /* no lock folder we may write: go on without */
		return 0;
	}
	if (fd < 0)
		return k1_err(err, K1_EIO, "%s: cannot create %s: %s", dev, lockpath,
			      strerror(errno));
	snprintf(text, sizeof(text), "%10ld\n", (long)getpid());
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(lockpath);
		return k1_err(err, K1_EIO, "%s: cannot write %s", dev, lockpath);
	}
	close(fd);
	return 0;
}

void k1_serial_unlock(const char *lockpath)
{
	if (lockpath && lockpath[0] && lock_owner(lockpath) == (long)getpid())
		unlink(lockpath);
}

/* ---- opening ---- */

static void make_raw(struct termios *t)
{
	cfmakeraw(t);
	t->c_cflag |= CLOCAL | CREAD;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int k1_serial_open(const char *dev, const struct k1_serial_opts *o, int *fd, struct k1_error *err)
{
	struct termios t;
	speed_t code = B115200;
	int f = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (f < 0)
		return k1_err(err, errno == EACCES ? K1_EACCES : K1_ENODEV, "%s: %s%s", dev,
			      strerror(errno),
			      errno == EACCES ? " (join the dialout group, or see contrib/udev)"
					      : "");
	if (flock(f, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) {
		close(f);
		return k1_err(err, K1_EACCES, "%s is in use by another program (flock)", dev);
	}
	if (tcgetattr(f, &t)) {
		close(f);
		return k1_err(err, K1_EINVAL, "%s: not a serial port (%s)", dev, strerror(errno));
	}
	make_raw(&t);
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == o->baud)
			code = speeds[i].code;
	cfsetispeed(&t, code);
	cfsetospeed(&t, code);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	t.c_cflag |= o->data_bits == 5   ? CS5
		     : o->data_bits == 6 ? CS6
		     : o->data_bits == 7 ? CS7
					 : CS8;
	if (o->parity != 'N')
		t.c_cflag |= PARENB | (o->parity == 'O' ? PARODD : 0);
	if (o->stop_bits == 2)
		t.c_cflag |= CSTOPB;
	if (o->rtscts)
		t.c_cflag |= CRTSCTS;
	/* TCSANOW, not TCSAFLUSH: what the board printed before we came is kept */
	if (tcsetattr(f, TCSANOW, &t)) {
		close(f);
		return k1_err(err, K1_EINVAL, "%s: cannot set %u %d%c%d: %s", dev, o->baud,
			      o->data_bits, o->parity, o->stop_bits, strerror(errno));
	}
	*fd = f;
	return 0;
}

/* ---- adapters ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int k1_serial_list(char ***paths, size_t *n, struct k1_error *err)
{
	const char *env = getenv("K1FW_SERIAL_DIR");
	const char *dir = env && *env ? env : "/dev/serial/by-id";
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0;

	*paths = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : k1_err(err, K1_EIO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		char **nv;
		char *p;
		if (e->d_name[0] == '.')
			continue;
		if (!(nv = realloc(v, (cnt + 1) * sizeof(*v))) ||
		    asprintf(&p, "%s/%s", dir, e->d_name) < 0) {
			free(nv ? nv : v);
			closedir(d);
			return k1_err(err, K1_ENOMEM, "out of memory");
		}
		v = nv;
		v[cnt++] = p;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), by_name);
	*paths = v;
	*n = cnt;
	return 0;
}

void k1_serial_list_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* ---- pseudo-terminals ---- */

int k1_pty_open(const char *link, int *master, char *slave, size_t n, struct k1_error *err)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	const char *name;
	struct stat st;

	if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
		if (m >= 0)
			close(m);
		return k1_err(err, K1_EIO, "cannot make a pseudo-terminal: %s", strerror(errno));
	}
	snprintf(slave, n, "%s", name);
	/* raw from the start, as a UART is: what is written before a reader
	 * comes is then kept byte for byte (the setting outlives this open) */
	int sfd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (sfd >= 0) {
		if (!tcgetattr(sfd, &t)) {
			make_raw(&t);
			tcsetattr(sfd, TCSANOW, &t);
		}
		close(sfd);
	}
	if (link) {
		if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
			close(m);
			return k1_err(err, K1_EEXIST,
				      "%s exists and is not a symlink: not replaced", link);
		}
		unlink(link);
		if (symlink(name, link)) {
			close(m);
			return k1_err(err, K1_EIO, "%s: cannot link to %s: %s", link, name,
				      strerror(errno));
		}
	}
	*master = m;
	return 0;
}

int k1_tty_raw(int fd, struct termios *saved)
{
	struct termios t;

	if (tcgetattr(fd, saved))
		return K1_EINVAL;
	t = *saved;
	make_raw(&t);
	return tcsetattr(fd, TCSANOW, &t) ? K1_EINVAL : 0;
}
