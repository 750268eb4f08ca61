/* The USB transport against a fake libusb (k1_usb_set_ops): enumeration by
 * interface class, port paths, selection by port, the permission-denied
 * message naming the udev rule, timeouts retried with smaller writes
 * (bytes moved before a timeout are not sent twice), a board that goes
 * away, and a fastboot exchange through it. */
#include "testutil.h"

#include "fastboot/fastboot.h"
#include "fastboot/usb.h"

#include <stdbool.h>

struct fdev {
	uint8_t bus, ports[4];
	int nports;
	uint16_t vid, pid;
	bool fastboot;  /* has an FF/42/03 interface */
	int open_error; /* libusb_open's result */
	const char *serial, *product;
	struct libusb_endpoint_descriptor eps[2];
	struct libusb_interface_descriptor alt;
	struct libusb_interface iface;
	struct libusb_config_descriptor cfg;
	bool opened;
};

static struct fdev devs[4];
static size_t ndevs;
static libusb_device *list[5];

/* the OUT endpoint: transfers longer than timeout_over time out, moving
 * partial bytes first; everything that "arrives" is kept */
static int timeout_over, partial, gone_after;
static uint8_t *received;
static size_t nreceived, cap_received;
static int out_sizes[64], nout;
static const char *in_replies[4];
static int nin, in_next;
static int inits, exits;

static void fdev_add(uint8_t bus, const uint8_t *ports, int nports, uint16_t vid, uint16_t pid,
		     bool fb, int open_error, const char *serial)
{
	struct fdev *d = &devs[ndevs++];
	memset(d, 0, sizeof(*d));
	d->bus = bus;
	memcpy(d->ports, ports, (size_t)nports);
	d->nports = nports;
	d->vid = vid;
	d->pid = pid;
	d->fastboot = fb;
	d->open_error = open_error;
	d->serial = serial;
	d->product = "Android Fastboot";
	d->eps[0].bEndpointAddress = 0x81;
	d->eps[0].bmAttributes = LIBUSB_TRANSFER_TYPE_BULK;
	d->eps[1].bEndpointAddress = 0x01;
	d->eps[1].bmAttributes = LIBUSB_TRANSFER_TYPE_BULK;
	d->alt.bInterfaceNumber = 0;
	d->alt.bInterfaceClass = fb ? 0xFF : 0x03; /* not fastboot: a HID mouse */
	d->alt.bInterfaceSubClass = fb ? 0x42 : 0x01;
	d->alt.bInterfaceProtocol = fb ? 0x03 : 0x02;
	d->alt.bNumEndpoints = 2;
	d->alt.endpoint = d->eps;
	d->iface.altsetting = &d->alt;
	d->iface.num_altsetting = 1;
	d->cfg.bNumInterfaces = 1;
	d->cfg.interface = &d->iface;
}

static struct fdev *D(libusb_device *d)
{
	return (struct fdev *)(void *)d;
}

static int f_init(libusb_context **ctx)
{
	inits++;
	*ctx = (libusb_context *)(void *)&devs;
	return 0;
}
static void f_exit(libusb_context *ctx)
{
	(void)ctx;
	exits++;
}
static ssize_t f_list(libusb_context *ctx, libusb_device ***out)
{
	(void)ctx;
	for (size_t i = 0; i < ndevs; i++)
		list[i] = (libusb_device *)(void *)&devs[i];
	list[ndevs] = NULL;
	*out = list;
	return (ssize_t)ndevs;
}
static void f_free_list(libusb_device **l, int unref)
{
	(void)l;
	(void)unref;
}
static int f_desc(libusb_device *dev, struct libusb_device_descriptor *dd)
{
	memset(dd, 0, sizeof(*dd));
	dd->idVendor = D(dev)->vid;
	dd->idProduct = D(dev)->pid;
	dd->iSerialNumber = 3;
	dd->iProduct = 2;
	return 0;
}
static int f_cfg(libusb_device *dev, struct libusb_config_descriptor **cfg)
{
	*cfg = &D(dev)->cfg;
	return 0;
}
static void f_free_cfg(struct libusb_config_descriptor *cfg)
{
	(void)cfg;
}
static uint8_t f_bus(libusb_device *dev)
{
	return D(dev)->bus;
}
static int f_ports(libusb_device *dev, uint8_t *ports, int len)
{
	int n = D(dev)->nports < len ? D(dev)->nports : len;
	memcpy(ports, D(dev)->ports, (size_t)n);
	return n;
}
static int f_open(libusb_device *dev, libusb_device_handle **h)
{
	if (D(dev)->open_error)
		return D(dev)->open_error;
	D(dev)->opened = true;
	*h = (libusb_device_handle *)(void *)dev;
	return 0;
}
static void f_close(libusb_device_handle *h)
{
	D((libusb_device *)(void *)h)->opened = false;
}
static int f_claim(libusb_device_handle *h, int i)
{
	(void)h;
	(void)i;
	return 0;
}
static int f_string(libusb_device_handle *h, uint8_t idx, unsigned char *data, int len)
{
	const char *s = idx == 3 ? D((libusb_device *)(void *)h)->serial
				 : D((libusb_device *)(void *)h)->product;
	int n = (int)strlen(s);
	if (n > len)
		n = len;
	memcpy(data, s, (size_t)n);
	return n;
}
static int f_bulk(libusb_device_handle *h, unsigned char ep, unsigned char *data, int len,
		  int *transferred, unsigned int timeout)
{
	(void)h;
	(void)timeout;
	*transferred = 0;
	if (ep & 0x80) {
		if (in_next >= nin)
			return LIBUSB_ERROR_TIMEOUT;
		int n = (int)strlen(in_replies[in_next]);
		assert_true(len >= n);
		memcpy(data, in_replies[in_next++], (size_t)n);
		*transferred = n;
		return 0;
	}
	if (nout < 64)
		out_sizes[nout++] = len;
	if (gone_after && nreceived >= (size_t)gone_after)
		return LIBUSB_ERROR_NO_DEVICE;
	int n = len, rc = 0;
	if (timeout_over && len > timeout_over) {
		n = partial < len ? partial : 0;
		rc = LIBUSB_ERROR_TIMEOUT;
	}
	if (nreceived + (size_t)n > cap_received) {
		cap_received = (nreceived + (size_t)n) * 2;
		received = realloc(received, cap_received);
	}
	if (n)
		memcpy(received + nreceived, data, (size_t)n);
	nreceived += (size_t)n;
	*transferred = n;
	return rc;
}

static const struct k1_usb_ops fake = {
	f_init,  f_exit, f_list,  f_free_list, f_desc,  f_cfg,    f_free_cfg, f_bus,
	f_ports, f_open, f_close, f_claim,     f_claim, f_string, f_bulk,
};

static int setup(void **state)
{
	(void)state;
	static const uint8_t p23[] = {2, 3}, p4[] = {4}, p1[] = {1};
	ndevs = 0;
	fdev_add(1, p23, 2, K1_USB_VID, K1_USB_PID, true, 0, "dfu-device");
	fdev_add(2, p1, 1, 0x046d, 0xc077, false, 0, "mouse");
	fdev_add(1, p4, 1, K1_USB_VID, K1_USB_PID, true, LIBUSB_ERROR_ACCESS, "dfu-device");
	timeout_over = partial = gone_after = 0;
	nreceived = 0;
	nout = nin = in_next = 0;
	inits = exits = 0;
	k1_usb_set_ops(&fake);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	k1_usb_set_ops(NULL);
	free(received);
	received = NULL;
	cap_received = 0;
	return 0;
}

static void test_list(void **state)
{
	(void)state;
	struct k1_usb_info *v;
	size_t n;
	struct k1_error err = {0};
	assert_int_equal(k1_usb_list(&v, &n, &err), 0);
	assert_int_equal(n, 2); /* the mouse is not listed */
	assert_string_equal(v[0].port_path, "1-2.3");
	assert_int_equal(v[0].vid, 0x361C);
	assert_int_equal(v[0].pid, 0x1001);
	assert_string_equal(v[0].serial, "dfu-device");
	assert_string_equal(v[0].product, "Android Fastboot");
	assert_true(v[0].accessible);
	assert_string_equal(v[1].port_path, "1-4");
	assert_false(v[1].accessible);
	assert_false(devs[0].opened); /* closed again */
	assert_int_equal(inits, exits);
	free(v);
}

static void test_select_by_port(void **state)
{
	(void)state;
	struct k1_transport *t;
	struct k1_error err = {0};
	assert_int_equal(k1_transport_usb_open("1-2.3", 1000, &t, &err), 0);
	assert_string_equal(t->name, "usb:1-2.3");
	assert_true(devs[0].opened);
	k1_transport_close(t);
	assert_false(devs[0].opened);
	assert_int_equal(k1_transport_usb_open("9-9", 1000, &t, &err), K1_ENODEV);
	assert_non_null(strstr(err.msg, "usb:9-9"));
	/* two boards and no port: refuse, naming both */
	assert_int_equal(k1_transport_usb_open(NULL, 1000, &t, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "usb:1-2.3, usb:1-4"));
	/* one board: "usb" alone finds it */
	ndevs = 2;
	assert_int_equal(k1_transport_usb_open("", 1000, &t, &err), 0);
	k1_transport_close(t);
	assert_int_equal(inits, exits);
}

static void test_permission_names_udev_rule(void **state)
{
	(void)state;
	struct k1_transport *t;
	struct k1_error err = {0};
	assert_int_equal(k1_transport_usb_open("1-4", 1000, &t, &err), K1_EACCES);
	assert_non_null(strstr(err.msg, "usb:1-4 (361c:1001): permission denied"));
	assert_non_null(strstr(err.msg, "contrib/udev/60-k1fw.rules"));
	assert_int_equal(inits, exits);
}

static void test_timeout_smaller_writes(void **state)
{
	(void)state;
	struct k1_transport *t;
	struct k1_error err = {0};
	static uint8_t data[1u << 20];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	timeout_over = 64 * 1024; /* a hub that stalls transfers over 64 KiB */
	partial = 512;            /* after moving one packet */
	assert_int_equal(k1_transport_usb_open("1-2.3", 1000, &t, &err), 0);
	assert_int_equal(k1_transport_write(t, data, sizeof(data), &err), 0);
	assert_int_equal(out_sizes[0], 256 * 1024);
	assert_int_equal(out_sizes[1], 128 * 1024);
	assert_int_equal(out_sizes[2], 64 * 1024);
	assert_int_equal(nreceived, sizeof(data));
	assert_memory_equal(received, data, sizeof(data)); /* partial bytes not repeated */
	/* the smaller size sticks for the next write */
	nout = 0;
	nreceived = 0;
	assert_int_equal(k1_transport_write(t, data, 200000, &err), 0);
	assert_int_equal(out_sizes[0], 64 * 1024);
	k1_transport_close(t);
}

static void test_timeout_gives_up(void **state)
{
	(void)state;
	struct k1_transport *t;
	struct k1_error err = {0};
	static uint8_t data[100000];
	timeout_over = 1; /* nothing gets through */
	assert_int_equal(k1_transport_usb_open("1-2.3", 500, &t, &err), 0);
	assert_int_equal(k1_transport_write(t, data, sizeof(data), &err), K1_ETIMEDOUT);
	assert_non_null(strstr(err.msg, "timed out after 500 ms"));
	assert_int_equal(out_sizes[nout - 1], K1_USB_WRITE_MIN);
	assert_true(nout <= 8); /* halving, not endless retries */
	k1_transport_close(t);
}

static void test_gone(void **state)
{
	(void)state;
	struct k1_transport *t;
	struct k1_error err = {0};
	static uint8_t data[1u << 20];
	gone_after = 300000;
	assert_int_equal(k1_transport_usb_open("1-2.3", 1000, &t, &err), 0);
	assert_int_equal(k1_transport_write(t, data, sizeof(data), &err), K1_ENODEV);
	assert_non_null(strstr(err.msg, "went away"));
	k1_transport_close(t);
}

static void test_fastboot_over_usb(void **state)
{
	(void)state;
	struct k1_transport *t;
	struct k1_error err = {0};
	char v[64];
	in_replies[0] = "INFOhello";
	in_replies[1] = "OKAY1.0";
	nin = 2;
	assert_int_equal(k1_transport_usb_open("1-2.3", 1000, &t, &err), 0);
	struct k1_fb fb = {.t = t, .ev = NULL};
	assert_int_equal(k1_fb_getvar(&fb, "version-brom", v, sizeof(v), &err), 0);
	assert_string_equal(v, "1.0");
	assert_int_equal(nreceived, strlen("getvar:version-brom"));
	assert_memory_equal(received, "getvar:version-brom", nreceived);
	/* no reply: the read times out with a message naming the port */
	assert_int_equal(k1_fb_getvar(&fb, "x", v, sizeof(v), &err), K1_ETIMEDOUT);
	assert_non_null(strstr(err.msg, "usb:1-2.3"));
	k1_transport_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_by_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_names_udev_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_smaller_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fastboot_over_usb, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
