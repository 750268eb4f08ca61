/* Fastboot over USB: find interfaces of class FF/42/03 (as AOSP fastboot
 * does), name boards by port path, bulk-transfer with smaller writes after
 * a timeout (hubs, VMs and USB 3 ports are known to stall large ones). */
#include "fastboot/usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct k1_usb_ops k1_usb_libusb = {
	.init = libusb_init,
	.exit = libusb_exit,
	.get_device_list = libusb_get_device_list,
	.free_device_list = libusb_free_device_list,
	.get_device_descriptor = libusb_get_device_descriptor,
	.get_active_config_descriptor = libusb_get_active_config_descriptor,
	.free_config_descriptor = libusb_free_config_descriptor,
	.get_bus_number = libusb_get_bus_number,
	.get_port_numbers = libusb_get_port_numbers,
	.open = libusb_open,
	.close = libusb_close,
	.claim_interface = libusb_claim_interface,
	.release_interface = libusb_release_interface,
	.get_string_descriptor_ascii = libusb_get_string_descriptor_ascii,
	.bulk_transfer = libusb_bulk_transfer,
};

static const struct k1_usb_ops *U = &k1_usb_libusb;

void k1_usb_set_ops(const struct k1_usb_ops *ops)
{
	U = ops ? ops : &k1_usb_libusb;
}

struct fb_iface {
	int number;
	uint8_t ep_in, ep_out;
	uint8_t iserial, iproduct;
};

/* The fastboot interface of dev and its two bulk endpoints; 0 or -1. */
static int find_iface(libusb_device *dev, struct fb_iface *f)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	int found = -1;

	if (U->get_device_descriptor(dev, &dd) || U->get_active_config_descriptor(dev, &cfg))
		return -1;
	for (int i = 0; i < cfg->bNumInterfaces && found; i++) {
		for (int a = 0; a < cfg->interface[i].num_altsetting && found; a++) {
			const struct libusb_interface_descriptor *id =
				&cfg->interface[i].altsetting[a];
			if (id->bInterfaceClass != K1_FB_CLASS ||
			    id->bInterfaceSubClass != K1_FB_SUBCLASS ||
			    id->bInterfaceProtocol != K1_FB_PROTOCOL)
				continue;
			f->ep_in = f->ep_out = 0;
			for (int e = 0; e < id->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
				if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
					continue;
				if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)
					f->ep_in = ep->bEndpointAddress;
				else
					f->ep_out = ep->bEndpointAddress;
			}
			if (f->ep_in && f->ep_out) {
				f->number = id->bInterfaceNumber;
				f->iserial = dd.iSerialNumber;
				f->iproduct = dd.iProduct;
				found = 0;
			}
		}
	}
	U->free_config_descriptor(cfg);
	return found;
}

static void port_path(libusb_device *dev, char *out, size_t outsz)
{
	uint8_t ports[8];
	int n = U->get_port_numbers(dev, ports, 8);
	size_t len = (size_t)snprintf(out, outsz, "%u", U->get_bus_number(dev));
	for (int i = 0; i < n && len < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%c%u", i ? '.' : '-', ports[i]);
}

static void get_string(libusb_device_handle *h, uint8_t idx, char *out, size_t outsz)
{
	unsigned char buf[128];
	int n = idx ? U->get_string_descriptor_ascii(h, idx, buf, sizeof(buf) - 1) : -1;
	if (n < 0)
		n = 0;
	if ((size_t)n >= outsz)
		n = (int)outsz - 1;
	memcpy(out, buf, (size_t)n);
	out[n] = '\0';
}

static int access_error(struct k1_error *err, const char *path, uint16_t vid, uint16_t pid)
{
	return k1_err(err, K1_EACCES,
		      "usb:%s (%04x:%04x): permission denied: install the udev rule "
		      "(sudo cp " K1_UDEV_RULE " /etc/udev/rules.d/ && sudo udevadm control "
		      "--reload && sudo udevadm trigger) and re-plug the board",
		      path, vid, pid);
}

int k1_usb_list(struct k1_usb_info **out, size_t *n, struct k1_error *err)
{
	libusb_context *ctx = NULL;
	libusb_device **list;
	struct k1_usb_info *v = NULL;
	size_t count = 0;
	ssize_t nd;

	*out = NULL;
	*n = 0;
	if (U->init(&ctx))
		return k1_err(err, K1_EIO, "libusb: cannot initialise (no USB support here?)");
	if ((nd = U->get_device_list(ctx, &list)) < 0) {
		U->exit(ctx);
		return k1_err(err, K1_EIO, "libusb: cannot list USB devices");
	}
	for (ssize_t i = 0; i < nd; i++) {
		struct fb_iface f;
		struct libusb_device_descriptor dd;
		libusb_device_handle *h;
		if (find_iface(list[i], &f) || U->get_device_descriptor(list[i], &dd))
			continue;
		struct k1_usb_info *nv = realloc(v, (count + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			U->free_device_list(list, 1);
			U->exit(ctx);
			return k1_err(err, K1_ENOMEM, "out of memory");
		}
		v = nv;
		memset(&v[count], 0, sizeof(v[count]));
		port_path(list[i], v[count].port_path, sizeof(v[count].port_path));
		v[count].vid = dd.idVendor;
		v[count].pid = dd.idProduct;
		int rc = U->open(list[i], &h);
		if (rc == 0) {
			v[count].accessible = true;
			get_string(h, f.iserial, v[count].serial, sizeof(v[count].serial));
			get_string(h, f.iproduct, v[count].product, sizeof(v[count].product));
			U->close(h);
		} else {
			v[count].accessible = rc != LIBUSB_ERROR_ACCESS;
		}
		count++;
	}
	U->free_device_list(list, 1);
	U->exit(ctx);
	*out = v;
	*n = count;
	return 0;
}

struct usb {
	struct k1_transport base;
	libusb_context *ctx;
	libusb_device_handle *h;
	struct fb_iface f;
	unsigned write_chunk; /* current write size: halved after a timeout */
	unsigned char rbuf[4096];
};

static int usb_fail(struct usb *u, int rc, const char *what, struct k1_error *err)
{
	if (rc == LIBUSB_ERROR_NO_DEVICE || rc == LIBUSB_ERROR_PIPE || rc == LIBUSB_ERROR_IO)
		return k1_err(err, K1_ENODEV, "%s: the device went away during %s", u->base.name,
			      what);
	if (rc == LIBUSB_ERROR_TIMEOUT)
		return k1_err(err, K1_ETIMEDOUT, "%s: %s timed out after %u ms", u->base.name, what,
			      u->base.timeout_ms);
	return k1_err(err, K1_EIO, "%s: %s: libusb error %d", u->base.name, what, rc);
}

static int usb_read(struct k1_transport *t, void *buf, size_t len, struct k1_error *err)
{
	struct usb *u = (struct usb *)t;
	int got = 0, rc;
	/* Read into a buffer of whole packets: a short request could overflow. */
	do {
		rc = U->bulk_transfer(u->h, u->f.ep_in, u->rbuf, (int)sizeof(u->rbuf), &got,
				      t->timeout_ms);
	} while (rc == 0 && got == 0); /* a zero-length packet is not a reply */
	if (rc)
		return usb_fail(u, rc, "read", err);
	if ((size_t)got > len)
		got = (int)len;
	memcpy(buf, u->rbuf, (size_t)got);
	return got;
}

static int usb_write(struct k1_transport *t, const void *buf, size_t len, struct k1_error *err)
{
	struct usb *u = (struct usb *)t;
	const unsigned char *p = buf;

	while (len) {
		int n = (int)(len < u->write_chunk ? len : u->write_chunk), done = 0;
		int rc = U->bulk_transfer(u->h, u->f.ep_out, (unsigned char *)p, n, &done,
					  t->timeout_ms);
		if (done > 0) { /* a timed-out transfer may have moved part of the bytes */
			p += done;
			len -= (size_t)done;
		}
		if (rc == LIBUSB_ERROR_TIMEOUT && (unsigned)n > K1_USB_WRITE_MIN) {
			/* retry with half of what stalled; later writes keep the size */
			u->write_chunk = (unsigned)n / 2 > K1_USB_WRITE_MIN ? (unsigned)n / 2
									    : K1_USB_WRITE_MIN;
			continue;
		}
		if (rc)
			return usb_fail(u, rc, "write", err);
	}
	return 0;
}

static void usb_close(struct k1_transport *t)
{
	struct usb *u = (struct usb *)t;
	U->release_interface(u->h, u->f.number);
	U->close(u->h);
	U->exit(u->ctx);
	free(u);
}

static const struct k1_transport_ops usb_ops = {"usb", usb_read, usb_write, usb_close};

int k1_transport_usb_open(const char *want, unsigned timeout_ms, struct k1_transport **out,
			  struct k1_error *err)
{
	struct usb *u = calloc(1, sizeof(*u));
	libusb_device **list;
	libusb_device *pick = NULL;
	char path[32], others[200] = "";
	ssize_t nd;
	int rc = 0, matches = 0;

	if (!u)
		return k1_err(err, K1_ENOMEM, "out of memory");
	if (U->init(&u->ctx)) {
		free(u);
		return k1_err(err, K1_EIO, "libusb: cannot initialise (no USB support here?)");
	}
	if ((nd = U->get_device_list(u->ctx, &list)) < 0) {
		U->exit(u->ctx);
		free(u);
		return k1_err(err, K1_EIO, "libusb: cannot list USB devices");
	}
	for (ssize_t i = 0; i < nd; i++) {
		struct fb_iface f;
		if (find_iface(list[i], &f))
			continue;
		port_path(list[i], path, sizeof(path));
		if (want && *want && strcmp(want, path))
			continue;
		matches++;
		size_t ol = strlen(others);
		snprintf(others + ol, sizeof(others) - ol, "%susb:%s", ol ? ", " : "", path);
		if (!pick) {
			pick = list[i];
			u->f = f;
			snprintf(u->base.name, sizeof(u->base.name), "usb:%s", path);
		}
	}
	if (!pick)
		rc = want && *want
			     ? k1_err(err, K1_ENODEV, "usb:%s: no fastboot device there", want)
			     : k1_err(err, K1_ENODEV, "usb: no fastboot device found");
	else if (matches > 1)
		rc = k1_err(err, K1_EINVAL,
			    "usb: %d fastboot devices (%s): choose one with -s "
			    "usb:PORTPATH, or flash them all with --all",
			    matches, others);
	if (!rc) {
		struct libusb_device_descriptor dd;
		U->get_device_descriptor(pick, &dd);
		int orc = U->open(pick, &u->h);
		if (orc == LIBUSB_ERROR_ACCESS)
			rc = access_error(err, u->base.name + 4, dd.idVendor, dd.idProduct);
		else if (orc)
			rc = usb_fail(u, orc, "open", err);
		else if ((orc = U->claim_interface(u->h, u->f.number))) {
			rc = orc == LIBUSB_ERROR_ACCESS || orc == LIBUSB_ERROR_BUSY
				     ? k1_err(err, K1_EACCES,
					      "%s: interface %d is busy (another fastboot "
					      "running?)",
					      u->base.name, u->f.number)
				     : usb_fail(u, orc, "claim", err);
			U->close(u->h);
		}
	}
	U->free_device_list(list, 1);
	if (rc) {
		U->exit(u->ctx);
		free(u);
		return rc;
	}
	u->base.ops = &usb_ops;
	u->base.timeout_ms = timeout_ms;
	u->write_chunk = K1_USB_WRITE_MAX;
	*out = &u->base;
	return 0;
}
