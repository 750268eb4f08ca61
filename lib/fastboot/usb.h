/* Fastboot over USB through libusb-1.0. Every libusb call goes through a
 * table of function pointers so the unit tests substitute a fake libusb
 * (tests/unit/test_usb.c): enumeration, port paths, timeouts, permissions. */
#ifndef K1_USB_H
#define K1_USB_H

#include "base/error.h"
#include "fastboot/transport.h"

#include <libusb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* USB ids of the vendor SPL and U-Boot fastboot gadgets (k1_defconfig); the
 * BootROM reportedly shows the same ones (spec §1). Any device with an
 * Android fastboot interface (class FF/42/03) is found whatever its ids. */
#define K1_USB_VID 0x361C
#define K1_USB_PID 0x1001
#define K1_FB_CLASS 0xFF
#define K1_FB_SUBCLASS 0x42
#define K1_FB_PROTOCOL 0x03

#define K1_UDEV_RULE "contrib/udev/60-k1fw.rules"

struct k1_usb_ops {
	int (*init)(libusb_context **ctx);
	void (*exit)(libusb_context *ctx);
	ssize_t (*get_device_list)(libusb_context *ctx, libusb_device ***list);
	void (*free_device_list)(libusb_device **list, int unref);
	int (*get_device_descriptor)(libusb_device *dev, struct libusb_device_descriptor *desc);
	int (*get_active_config_descriptor)(libusb_device *dev,
					    struct libusb_config_descriptor **config);
	void (*free_config_descriptor)(struct libusb_config_descriptor *config);
	uint8_t (*get_bus_number)(libusb_device *dev);
	int (*get_port_numbers)(libusb_device *dev, uint8_t *ports, int len);
	int (*open)(libusb_device *dev, libusb_device_handle **handle);
	void (*close)(libusb_device_handle *handle);
	int (*claim_interface)(libusb_device_handle *handle, int iface);
	int (*release_interface)(libusb_device_handle *handle, int iface);
	int (*get_string_descriptor_ascii)(libusb_device_handle *handle, uint8_t index,
					   unsigned char *data, int length);
	int (*bulk_transfer)(libusb_device_handle *handle, unsigned char endpoint,
			     unsigned char *data, int length, int *transferred,
			     unsigned int timeout);
};

/* The real libusb, used unless k1_usb_set_ops() says otherwise. */
extern const struct k1_usb_ops k1_usb_libusb;
/* Tests: route every libusb call through ops (NULL: back to libusb). Not
 * thread-safe; call before any other k1_usb function. */
void k1_usb_set_ops(const struct k1_usb_ops *ops);

/* Bulk writes start at this size; a timeout halves it, down to the minimum. */
#define K1_USB_WRITE_MAX (256u * 1024)
#define K1_USB_WRITE_MIN 4096u

struct k1_usb_info {
	char port_path[32]; /* "1-2.3": bus, then each hub port (Linux sysfs naming) */
	uint16_t vid, pid;
	char serial[64];  /* iSerial ("dfu-device" on every BootROM), "" unknown */
	char product[64]; /* iProduct, "" unknown */
	bool accessible;  /* false: opening it was refused (udev rule) */
};

/* Every USB device with a fastboot interface, into a new array (free()). */
int k1_usb_list(struct k1_usb_info **out, size_t *n, struct k1_error *err);

/* Open the board at port_path ("" or NULL: the only one there is; more
 * than one is K1_EINVAL listing them). */
int k1_transport_usb_open(const char *port_path, unsigned timeout_ms, struct k1_transport **out,
			  struct k1_error *err);

#endif
