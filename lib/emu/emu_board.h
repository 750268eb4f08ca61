/* An emulated K1 board as a fastboot device (spec §1, §6; research §8):
 * BootROM download mode -> SPL -> U-Boot fastboot, one command handler for
 * all three stages, storage in plain files (emu_storage.h), the power-on
 * path from bootsim.h. Transport-free: emu_server.c feeds it packets. */
#ifndef K1_EMU_BOARD_H
#define K1_EMU_BOARD_H

#include "emu/bootsim.h"
#include "emu/emu_storage.h"
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
};

/* The replies to one command: INFO lines, then the final OKAY/FAIL/DATA. */
struct k1_emu_reply {
	char info[K1_EMU_MAX_INFO][K1_FB_REPLY_MAX + 1];
	size_t ninfo;
	char final[K1_FB_REPLY_MAX + 1];
	uint32_t data_len; /* > 0: final is DATA; receive that many bytes next */
};

struct k1_emu_board {
	struct k1_emu_config cfg;
	struct k1_emu_storage st;
	enum k1_emu_stage stage;
	uint8_t *dl; /* the last complete download */
	size_t dl_len, dl_cap;
	struct k1_ptable table; /* the last `flash gpt|mtd` */
	bool have_table, mtd_mode;
	bool env_imported;
	/* set by a command: after its reply the device leaves the bus; the
	 * server calls k1_emu_transition() once it is gone */
	bool leave;
	enum k1_emu_stage next;
	bool power_cycle;              /* reboot: run the power-on path again */
	struct k1_bootsim_result boot; /* of the last power-on */
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

/* emu_flash.c: flash:NAME, erase:NAME, oem erase (U-Boot stage). */
void k1_emu_flash(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep);
void k1_emu_erase(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep);
void k1_emu_oem_erase(struct k1_emu_board *b, const char *arg, struct k1_emu_reply *rep);
/* Where a name lands: device, offset, length (emu_flash.c). 0 or a FAIL
 * reason in why. */
int k1_emu_locate(struct k1_emu_board *b, const char *name, enum k1_emu_dev *dev, uint64_t *off,
		  uint64_t *len, char *why, size_t whylen);

#endif
