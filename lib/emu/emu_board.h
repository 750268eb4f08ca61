/* An emulated K1 board as a fastboot device (spec §1, §6; research §8):
 * BootROM download mode -> SPL -> U-Boot fastboot, one command handler for
 * all three stages, storage in plain files (emu_storage.h), the power-on
 * path from bootsim.h. Transport-free: emu_server.c feeds it packets. */
#ifndef K1_EMU_BOARD_H
#define K1_EMU_BOARD_H

#include "emu/bootsim.h"
#include "emu/emu_eeprom.h"
#include "emu/emu_storage.h"
#include "emu/emu_uboot.h"
#include "emu/fastboot_proto.h"
#include "format/ptable.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_EMU_UBOOT_MAX_DOWNLOAD 0x10000000u /* CONFIG_FASTBOOT_BUF_SIZE */
#define K1_EMU_BROM_MAX_DOWNLOAD 0x38000u     /* 0xC0800000 up to the ROM's command buffer */
#define K1_EMU_MAX_INFO 64

enum k1_emu_stage {
	K1_EMU_STAGE_BROM,  /* USB download mode: getvar, download, continue */
	K1_EMU_STAGE_SPL,   /* the staged FSBL waits for u-boot.itb */
	K1_EMU_STAGE_UBOOT, /* U-Boot fastboot: flash, erase, reboot, ... */
	K1_EMU_STAGE_OS,    /* booted: no fastboot device any more */
	K1_EMU_STAGE_HANG,  /* an FSBL ran and stopped: no fastboot device */
};

struct k1_emu_config {
	enum k1_bootsel sel;
	bool secure;
	uint8_t rotpk_hash[32];
	uint32_t max_download; /* U-Boot's and the SPL's; 0: the vendor's 256 MiB */
	bool download_key;     /* FDL key held: every power-on enters download mode */
	unsigned ram_gib;      /* the board's RAM: 2, 4, 8, 16 GiB; 0: 4 */
	bool uboot_only; /* like the vendor's sandbox: power-on goes straight to U-Boot fastboot */
	const struct k1_emu_uboot *uboot; /* the vendor generation; NULL: the default */
};

/* The replies to one command: INFO lines, then the final OKAY/FAIL/DATA. */
struct k1_emu_reply {
	char info[K1_EMU_MAX_INFO][K1_FB_REPLY_MAX + 1];
	size_t ninfo;
	char final[K1_FB_REPLY_MAX + 1];
	bool empty;        /* final is "" but sent all the same (vendor: a bad table) */
	uint32_t data_len; /* > 0: final is DATA; receive that many bytes next */
};

/* One entry of fb_spacemit.c's parts_info[]: what the vendor U-Boot keeps
 * of the last `flash gpt|mtd` in RAM (hidden entries are written there). */
struct k1_emu_vpart {
	bool used, hidden;
	char name[64];
	uint64_t offset, size; /* bytes, from the KiB arithmetic of the vendor */
};

/* One entry of fb_spacemit.c's gpt_table string, as `gpt write` gets it. */
struct k1_emu_gptent {
	char name[64], start[32], size[32];
};

/* One variable of the running U-Boot environment. */
struct k1_emu_envvar {
	char *name, *value;
};

struct k1_emu_board {
	struct k1_emu_config cfg;
	struct k1_emu_storage st;
	enum k1_emu_stage stage;
	uint32_t expected;      /* fastboot_bytes_expected: of the last download command */
	uint8_t *dl;            /* the download buffer: bytes past dl_len keep older downloads */
	size_t dl_len, dl_cap;  /* dl_len: the last complete download (U-Boot's image_size) */
	struct k1_ptable table; /* the last `flash gpt|mtd` */
	bool have_table, mtd_mode;
	/* vendor U-Boot RAM state (emu_vendor.c, emu_env.c), reset on power-on */
	struct k1_emu_vpart vparts[K1_PTABLE_VENDOR_MAX];
	bool gpt_format; /* fdev->gptinfo.fastboot_flash_gpt: set once, never cleared */
	struct k1_emu_gptent gpt_table[K1_PTABLE_VENDOR_MAX]; /* the last one parsed */
	size_t gpt_n;
	bool mtd_table;       /* fdev->mtd_table non-empty: every later table sets mtdparts again */
	char gz_part[20];     /* part_name_t: the last partition flashed */
	uint64_t gz_offset;   /* part_offset_t: where its next gzip chunk goes */
	uint64_t progress_t0; /* fastboot_timed_send_info(): ms of the last INFO, 0 unset */
	struct k1_emu_reply *rep; /* the reply being built, for those INFO lines */
	struct k1_emu_envvar *env;
	size_t nenv;
	/* set by a command: after its reply the device leaves the bus; the
	 * server calls k1_emu_transition() once it is gone */
	bool leave;
	enum k1_emu_stage next;
	bool power_cycle;              /* reboot: run the power-on path again */
	bool autoboot;                 /* this power-on runs bootcmd (to the OS), not fastboot */
	struct k1_bootsim_result boot; /* of the last power-on */
	struct k1_emu_eeprom ee;       /* eeprom.bin (emu_eeprom.h) */
	/* the SPL took a download it will never receive (its DDR is dead):
	 * the server stops serving, as a USB device that NAKs forever */
	bool stalled;
	k1_console_fn con;
	void *con_ctx;
};

int k1_emu_board_open(struct k1_emu_board *b, const char *dir, const struct k1_emu_config *cfg,
		      const uint64_t sizes[K1_DEV_COUNT], k1_console_fn con, void *ctx,
		      struct k1_error *err);
void k1_emu_board_close(struct k1_emu_board *b);

/* Power on: the BootROM's walk (console), then download mode, U-Boot
 * fastboot (a board that boots: as if `fastboot 0` were typed at its
 * prompt), or HANG. */
void k1_emu_power_on(struct k1_emu_board *b);

/* Handle one command packet; fills rep. Never fails: malformed input is a
 * FAIL reply. */
void k1_emu_command(struct k1_emu_board *b, const uint8_t *pkt, size_t len,
		    struct k1_emu_reply *rep);
/* A buffer for the download announced by rep->data_len (NULL: no memory). */
uint8_t *k1_emu_download_buf(struct k1_emu_board *b, size_t n);
/* The whole download arrived (ok) or the host went away (!ok: discarded,
 * storage untouched). Fills rep with the final OKAY. */
void k1_emu_download_done(struct k1_emu_board *b, size_t n, bool ok, struct k1_emu_reply *rep);
/* After a command set leave: enter the next stage (prints its console). */
void k1_emu_transition(struct k1_emu_board *b);

const char *k1_emu_stage_name(enum k1_emu_stage s);

/* emu_vendor.c: the vendor U-Boot's fb_mmc.c on the eMMC pins. */
void k1_emu_vendor_flash_table(struct k1_emu_board *b, struct k1_emu_reply *rep);
void k1_emu_vendor_flash_bootinfo(struct k1_emu_board *b, struct k1_emu_reply *rep);
void k1_emu_vendor_flash_fsbl(struct k1_emu_board *b, struct k1_emu_reply *rep);
void k1_emu_vendor_flash_fsbl1(struct k1_emu_board *b, struct k1_emu_reply *rep);
void k1_emu_vendor_flash_env(struct k1_emu_board *b, struct k1_emu_reply *rep);
void k1_emu_vendor_flash_part(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep);
void k1_emu_vendor_erase(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep);
/* A GPT partition by name (hidden_too: or a hidden entry of the last
 * table); 0, or the vendor's FAIL text in err. */
int k1_emu_vendor_part(struct k1_emu_board *b, const char *name, uint64_t *off, uint64_t *len,
		       bool hidden_too, struct k1_error *err);
/* fastboot_timed_send_info(): an INFO<msg> line at most every 30 s. */
void k1_emu_progress(struct k1_emu_board *b, const char *msg);
/* The emulator's GUIDs: a hash of what they name (the vendor's are random). */
void k1_emu_guid(const char *what, uint64_t n, uint8_t g[16]);

/* emu_env.c: the running environment. */
void k1_emu_env_load(struct k1_emu_board *b, enum k1_emu_dev dev);
void k1_emu_env_free(struct k1_emu_board *b);
const char *k1_emu_env_get(const struct k1_emu_board *b, const char *name);
int k1_emu_env_set(struct k1_emu_board *b, const char *name, const char *value);
int k1_emu_env_setf(struct k1_emu_board *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* env import -c (CRC over 0x4000 bytes of buf) else -t (text). */
void k1_emu_env_import(struct k1_emu_board *b, const uint8_t *buf);
/* env export -c -s 0x4000; K1_ERANGE when it does not fit. */
int k1_emu_env_export(struct k1_emu_board *b, uint8_t out[0x4000]);

/* emu_flash.c: flash:NAME, erase:NAME, oem erase (U-Boot stage). */
void k1_emu_flash(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep);
void k1_emu_erase(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep);
void k1_emu_oem_erase(struct k1_emu_board *b, const char *arg, struct k1_emu_reply *rep);
/* Where a name lands: device, offset, length (emu_flash.c). 0, or
 * K1_EINVAL with the FAIL reason in err. */
int k1_emu_locate(struct k1_emu_board *b, const char *name, enum k1_emu_dev *dev, uint64_t *off,
		  uint64_t *len, struct k1_error *err);

#endif
