/* Flashing a K1 board from a release folder (k1fw bundle output or a vendor
 * release): the plan is the vendor's command list (spec §6, research §8.5),
 * the runner finds the board's stage, stages the FSBL and U-Boot only when
 * needed, then writes the table and every partition that has an image. */
#ifndef K1_FLASH_H
#define K1_FLASH_H

#include "base/error.h"
#include "fastboot/fastboot.h"
#include "fastboot/transport.h"
#include "format/bootinfo.h"
#include "release/bundle.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum k1_stage { K1_STAGE_UNKNOWN, K1_STAGE_BROM, K1_STAGE_SPL, K1_STAGE_UBOOT };
const char *k1_stage_name(enum k1_stage s); /* "brom", "spl", "u-boot" */

enum k1_step_kind {
	K1_STEP_STAGE,    /* download a boot stage (from the BootROM or the SPL) */
	K1_STEP_CONTINUE, /* run it; the board re-enumerates */
	K1_STEP_TABLE,    /* flash gpt|mtd TABLE.json */
	K1_STEP_FLASH,    /* flash PART IMAGE */
	K1_STEP_REBOOT,
};

struct k1_flash_step {
	enum k1_step_kind kind;
	enum k1_stage when;  /* STAGE/CONTINUE: run only in this stage (BROM: FSBL, SPL: U-Boot) */
	char part[64];       /* "gpt", "mtd", a partition; STAGE: "fsbl" or "uboot" */
	char rel[256];       /* the file as named in the bundle ("" for none) */
	char path[PATH_MAX]; /* the file to read */
	uint64_t size;       /* its size in bytes */
};

struct k1_flash_plan {
	enum k1_media media;
	char table[64]; /* the table written first: "partition_universal.json", ... */
	struct k1_flash_step *steps;
	size_t count;
};

struct k1_flash_opts {
	const char *bundle;  /* release folder */
	enum k1_media media; /* EMMC, SPINOR, SPINAND; see media_auto */
	bool media_auto;     /* ask U-Boot (getvar mtd-size, blk-size) */
	uint64_t mtd_size;   /* SPI flash bytes, for partition_<N>M.json; 0 = the smallest table */
	bool blk;         /* SPI media: also flash partition_universal.json to the block device */
	const char *only; /* "rootfs,bootfs": only these (table steps: "gpt", "mtd"); NULL = all */
	bool reboot;
	uint32_t emmc_spl_limit; /* the bootinfo U-Boot writes to boot0; 0: v1.0.15's 0x32100 */
	unsigned wait_ms;        /* how long to wait for the board to (re)appear */
	unsigned io_ms;          /* per reply or transfer */
	bool fs_skip;            /* ext2/3/4 images: free blocks are not sent (flash_image.c) */
	bool gzip;               /* gzip slices where it pays (flash_gzip.c) */
	/* the release's big files whose SHA-256 k1_bundle_verify left: hashed
	 * from the start of the run; a file's flash (or stage) command waits
	 * for its hash, its download does not. NULL: all verified already */
	struct k1_hash_ahead *hash_ahead;
};

/* Build the plan from the release folder; checks that every file exists,
 * that the bootinfo is for opts->media, and --only names. K1_EINVAL naming
 * the file or name otherwise. Media must be resolved (not auto). */
int k1_flash_plan_build(const struct k1_flash_opts *opts, struct k1_flash_plan *plan,
			struct k1_error *err);
void k1_flash_plan_free(struct k1_flash_plan *plan);
/* Only the boot steps (stage FSBL + continue, stage u-boot.itb + continue). */
int k1_flash_plan_boot(const char *bundle, struct k1_flash_plan *plan, struct k1_error *err);

/* What the runner reports. */
enum k1_flash_event_kind {
	K1_EV_CONNECTED, /* msg: transport name; stage set */
	K1_EV_WAITING,   /* waiting for the board to come back; msg says why */
	K1_EV_BEGIN,     /* a step starts; total = bytes to send (0 for none), the
			  * image's size is step->size; msg: why (K1_STEP_FLASH) */
	K1_EV_PROGRESS,  /* sent of total */
	K1_EV_END,       /* a step finished */
	K1_EV_SKIP,      /* a step not needed in this stage */
	K1_EV_INFO,      /* an INFO/TEXT line from the device, or a note */
	K1_EV_PLAN,      /* the media and table chosen; msg */
	K1_EV_NOTE,      /* what a step's reply proves (verified, unverified, not on disk) */
};

struct k1_flash_event {
	enum k1_flash_event_kind kind;
	const struct k1_flash_step *step; /* BEGIN, PROGRESS, END, SKIP */
	size_t index, count;              /* step index of count */
	uint64_t sent, total;
	enum k1_stage stage;
	const char *msg;
};

typedef void (*k1_flash_cb)(void *ctx, const struct k1_flash_event *ev);

/* Where a failed run stopped, for the resume hint. */
struct k1_flash_status {
	char failed_part[64];  /* the partition (or "gpt", "fsbl") being written, "" */
	uint64_t sent, total;  /* bytes of it sent when it failed */
	enum k1_stage stage;   /* the board's stage when first found */
	enum k1_media media;   /* the media flashed */
	char resume_only[512]; /* --only for a rerun: the failed step and those after it;
				* during the run, for where it is now (a signal) */
	/* the board was lost right after its SPL started: it never came back
	 * after the BootROM's continue, or the staging of u-boot.itb into the
	 * SPL timed out (on 2 GB boards: the EEPROM's ddr_cs_num) */
	bool spl_lost;
	bool env_not_on_disk; /* U-Boot imported env.bin into RAM instead of writing it */
	size_t unverified;    /* steps U-Boot's OKAY does not prove */
};

/* Connect to target, find the stage, stage what is missing, resolve the
 * media when auto, then run the plan. 0 or a K1_E* code with err and st. */
int k1_flash_run(const struct k1_flash_opts *opts, const struct k1_target *target, k1_flash_cb cb,
		 void *ctx, struct k1_flash_status *st, struct k1_error *err);

/* A board brought to a stage that answers, for commands other than flash
 * (k1fw eeprom): connect and, below want, stage the bundle's FSBL (BootROM)
 * and u-boot.itb (SPL) as the flasher does. opts->bundle NULL: a board
 * below want is an error. s->stage is where it answers; close with
 * k1_flash_session_close. st (may be NULL) says where a failure stopped. */
struct k1_flash_session {
	struct k1_transport *t;
	struct k1_fb fb;
	enum k1_stage stage, first; /* now, and when first found */
};
int k1_flash_session_open(const struct k1_flash_opts *opts, const struct k1_target *target,
			  enum k1_stage want, k1_flash_cb cb, void *ctx, struct k1_flash_session *s,
			  struct k1_flash_status *st, struct k1_error *err);
void k1_flash_session_close(struct k1_flash_session *s);

/* Helpers shared with `k1fw fastboot`: wait (polling, up to wait_ms) for
 * the board at target and open it; find its stage. */
int k1_flash_connect(struct k1_target *target, unsigned wait_ms, unsigned io_ms,
		     struct k1_transport **out, struct k1_error *err);
struct k1_fb;
int k1_flash_detect_stage(struct k1_fb *fb, enum k1_stage *stage, struct k1_error *err);

/* Send one file to partition part the way AOSP fastboot does: raw when it
 * fits max_download (0 = no limit), else libsparse pieces of at most
 * min(max_download, 1 GiB), each a download + flash:part. progress gets
 * bytes sent of the total over all pieces. */
int k1_flash_send_file(struct k1_fb *fb, const char *cmd_prefix, const char *part, const char *path,
		       uint64_t max_download,
		       void (*progress)(void *ctx, uint64_t sent, uint64_t total), void *ctx,
		       uint64_t *sent_out, struct k1_error *err);

/* One image as it will be sent: fs set (an Android sparse file of the
 * blocks an ext2/3/4 image uses, reading fd when sent) or NULL (the file
 * as it is); send is the bytes on the wire as one piece (each further
 * piece adds a sparse header), why says which and why. */
struct sparse_file;
struct k1_flash_gzip;
struct k1_flash_image {
	uint64_t size, send;
	uint64_t write; /* bytes the board writes (fill chunks too, not DONT_CARE) */
	char why[200];
	struct sparse_file *fs;   /* its data chunks point into map */
	void *map;                /* the image, mapped while fs lives */
	struct k1_flash_gzip *gz; /* set: sent as gzip slices (k1_flash_image_gzip) */
};
/* fs_skip false: always the file as it is. A filesystem that cannot be
 * trusted is no error: it is sent whole, and why says so. */
int k1_flash_image_open(int fd, const char *path, uint64_t size, bool fs_skip,
			struct k1_flash_image *im, struct k1_error *err);
void k1_flash_image_close(struct k1_flash_image *im);
/* The same for the file at path, opened into *fd (-1 on failure): a
 * non-empty regular file, else K1_EINVAL. */
int k1_flash_image_open_path(const char *path, bool fs_skip, int *fd, struct k1_flash_image *im,
			     struct k1_error *err);
/* The same for a file by path, for a plan (--dry-run): im->fs is NULL. */
int k1_flash_image_estimate(const char *path, bool fs_skip, struct k1_flash_image *im,
			    struct k1_error *err);

/* flash_gzip.c, --gzip: vendor U-Boot (v1.0.15, k1-bl-v2) inflates a
 * gzip download into the buffer after its download buffer and writes it
 * at the partition's start plus what earlier gzip flashes of it wrote.
 * The time model: bytes on the wire at USB 2.0's 35 MB/s plus the bytes
 * the board writes at BOARD_RATE, 20 MB/s for inflating and writing the
 * eMMC, an assumption (no board measured; eMMC sequential writes on such
 * boards run 40-90 MB/s and U-Boot inflates with one core). */
#define K1_FLASH_LINK_RATE 35e6
#define K1_FLASH_BOARD_RATE 20e6
#define K1_FLASH_GZIP_DRY_BUF 0x10000000u /* --dry-run: vendor max-download-size */
#define K1_FLASH_GZIP_ASSUMES                                                                      \
	"--gzip assumes a vendor U-Boot that inflates gzip downloads (v1.0.15, k1-bl-v2); "        \
	"vendor 1.0beta and mainline U-Boot write the compressed bytes as they are"
#define K1_FLASH_GZIP_EMMC_ONLY                                                                    \
	"--gzip: nothing goes as gzip: only the eMMC's writer (fb_blk.c) inflates, not SPI "       \
	"flash's"
/* whether U-Boot checks this partition's downloads for gzip (not gpt, mtd,
 * bootinfo, fsbl, fsbl_1, env) */
bool k1_flash_gzip_part(const char *part);
/* im opened (k1_flash_image_open): im->gz set, im->send and im->why
 * changed when gzip slices inflating to at most inflate_max bytes
 * (max-download-size) are faster by the model; else why says why not. */
int k1_flash_image_gzip(int fd, const char *path, const char *part, bool fs_skip,
			uint64_t inflate_max, struct k1_flash_image *im, struct k1_error *err);
/* The same by path, for a plan; im->gz is NULL after. */
int k1_flash_gzip_estimate(const char *path, const char *part, bool fs_skip, uint64_t inflate_max,
			   struct k1_flash_image *im, struct k1_error *err);
/* Send it: the first block not as gzip (resets U-Boot's offset), then the
 * slices, each download + flash:part; *base grows by the bytes sent. */
int k1_flash_gzip_send(struct k1_fb *fb, const char *part, int fd, const char *path,
		       const struct k1_flash_image *im, uint64_t *base, struct k1_error *err);
void k1_flash_gzip_free(struct k1_flash_gzip *g);
/* What the OKAYs to the slices prove, for the step's note. */
void k1_flash_gzip_note(const char *part, char *msg, size_t n);

/* flash_vendor.c: vendor U-Boot takes a download whose byte 2 is 8 and
 * byte 3 has no bit of 0xE0 for gzip (no 1f 8b check) and fails to inflate
 * it; as an Android sparse image it is written. k1_flash_wraps: whether
 * flash:part of data starting with h must be sent so (never for the names
 * U-Boot reads raw: gpt, mtd, bootinfo, fsbl, fsbl_1). */
#define K1_FLASH_EMMC_SPL_LIMIT 0x32100u /* CONFIG_SPL_SIZE_LIMIT 0x31000 + 0x1100 */
bool k1_flash_gzip_lookalike(const uint8_t *h, size_t n);
bool k1_flash_wraps(const char *part, const uint8_t *h, size_t n);
bool k1_flash_file_wraps(const char *part, const char *path);
bool k1_flash_file_sparse(const char *path); /* an Android sparse image already */
/* download the bytes as a one-chunk sparse image, then flash:part */
int k1_flash_send_wrapped(struct k1_fb *fb, const char *part, const uint8_t *data, size_t len,
			  struct k1_error *err);

/* flash:part of the file as it is (after a wrapped env hit an import
 * generation, which reads env before its gzip check). */
int k1_flash_send_raw(struct k1_fb *fb, const char *part, const char *path, struct k1_error *err);

/* What U-Boot's OKAY to a step proves, with a sentence for the user in msg
 * ("" for nothing to say). wrapped: sent by k1_flash_send_wrapped; pieces:
 * as sparse pieces over max-download-size. */
#define K1_FLASH_ENV_IMPORTED "flash env partition okay" /* fastboot_oem_flash_env() */
enum k1_flash_verdict { K1_FV_NONE, K1_FV_VERIFIED, K1_FV_UNVERIFIED, K1_FV_NOT_ON_DISK };
enum k1_flash_verdict k1_flash_judge(const struct k1_flash_plan *plan,
				     const struct k1_flash_step *s, const char *okay, bool wrapped,
				     bool pieces, char *msg, size_t n);

#endif
