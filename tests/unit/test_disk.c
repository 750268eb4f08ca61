/* Disk images: a GPT written here by hand (so it can be damaged in every
 * way), the K1 pieces made by the library and mkimage, and the verifier
 * naming each classic SD-card failure with its offset. */
#include "testutil.h"

#include "base/fileio.h"
#include "format/bootinfo.h"
#include "format/format.h"
#include "format/fsbl.h"
#include "format/gpt.h"
#include "format/gpt_write.h"
#include "format/keygen.h"

#include <zlib.h>

#define SECT 512
#define DISK_SECTORS 8192 /* 4 MiB */
#define DISK_LEN (DISK_SECTORS * SECT)
#define LAST (DISK_SECTORS - 1)

struct part {
	const char *name;
	uint64_t first, last;
};

/* What build() lays out; default_layout() is the Bianbu SD layout scaled down. */
struct layout {
	int media;        /* enum k1_media of the bootinfo at 0, or -1: none */
	uint32_t fsbl_at; /* where the FSBL goes (0: nowhere) */
	bool big_fsbl;    /* the FSBL with a 256 KiB SPL */
	struct part parts[8];
	size_t nparts;
	bool fits, env, backup, gpt;
};

struct fixture {
	char *dir;
	struct k1_buf fsbl, big_fsbl;
	struct k1_buf sbi, ub; /* FITs from mkimage */
};

static struct fixture *fx;

static void make_fit(const char *name, const char *its, struct k1_buf *out)
{
	char path[4400], cmd[9000], file[64];
	struct k1_error err = {0};
	uint8_t payload[3000];

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31 + name[0]);
	snprintf(file, sizeof(file), "%s.bin", name);
	test_write(fx->dir, file, payload, sizeof(payload));
	snprintf(file, sizeof(file), "%s.its", name);
	test_write_str(fx->dir, file, its);
	snprintf(cmd, sizeof(cmd), "cd '%s' && mkimage -f %s.its %s.itb >/dev/null", fx->dir, name,
		 name);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s.itb", fx->dir, name);
	assert_int_equal(k1_read_file(path, out, &err), 0);
}

static const char sbi_its[] =
	"/dts-v1/;\n/ { description = \"Configuration to load OpenSBI before U-Boot\";\n"
	"#address-cells = <2>;\nimages { opensbi { description = \"OpenSBI\";\n"
	"type = \"firmware\";\n"
	"os = \"opensbi\"; arch = \"riscv\"; compression = \"none\"; load = <0x0 0x0>;\n"
	"entry = <0x0 0x0>; data = /incbin/(\"./sbi.bin\"); hash-1 { algo = \"crc32\"; }; }; };\n"
	"configurations { default = \"config_1\"; config_1 { description = \"opensbi\";\n"
	"firmware = \"opensbi\"; }; }; };\n";
static const char ub_its[] =
	"/dts-v1/;\n/ { description = \"U-boot FIT image for k1x\"; #address-cells = <2>;\n"
	"images { uboot { description = \"U-Boot\"; type = \"standalone\"; os = \"U-Boot\";\n"
	"arch = \"riscv\"; compression = \"none\"; load = <0x0 0x200000>;\n"
	"data = /incbin/(\"./ub.bin\"); hash-1 { algo = \"crc32\"; }; }; };\n"
	"configurations { default = \"conf_1\"; conf_1 { description = \"k1-x_deb1\";\n"
	"loadables = \"uboot\"; }; }; };\n";

static int setup(void **state)
{
	struct k1_fsbl_keys keys;
	struct k1_error err = {0};
	char keydir[4200];
	uint8_t hash[32];
	static uint8_t spl[0x40000];

	(void)state;
	fx = calloc(1, sizeof(*fx));
	fx->dir = test_tmpdir();
	snprintf(keydir, sizeof(keydir), "%s/keys", fx->dir);
	assert_int_equal(k1_keygen(keydir, hash, &err), 0);
	assert_int_equal(k1_fsbl_keys_load(keydir, &keys, &err), 0);
	for (size_t i = 0; i < sizeof(spl); i++)
		spl[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(k1_fsbl_build(spl, 5000, &keys, 0x36000, &fx->fsbl, &err), 0);
	assert_int_equal(k1_fsbl_build(spl, sizeof(spl), &keys, 0, &fx->big_fsbl, &err), 0);
	k1_fsbl_keys_free(&keys);
	make_fit("sbi", sbi_its, &fx->sbi);
	make_fit("ub", ub_its, &fx->ub);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	k1_buf_free(&fx->fsbl);
	k1_buf_free(&fx->big_fsbl);
	k1_buf_free(&fx->sbi);
	k1_buf_free(&fx->ub);
	test_rmtree(fx->dir);
	free(fx);
	return 0;
}

static struct layout default_layout(void)
{
	struct layout l = {
		.media = K1_MEDIA_SD,
		.fsbl_at = 0x20000,
		.parts = {{"fsbl", 256, 767},
			  {"env", 768, 895},
			  {"opensbi", 896, 1663},
			  {"uboot", 1664, 5759},
			  {"rootfs", 6144, LAST - 33}},
		.nparts = 5,
		.fits = true,
		.env = true,
		.backup = true,
		.gpt = true,
	};
	return l;
}

/* ---- a GPT writer for the tests ---- */

static const uint8_t linux_type[16] = {0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
				       0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4};

static void write_entries(uint8_t *e, const struct layout *l)
{
	memset(e, 0, 128 * 128);
	for (size_t i = 0; i < l->nparts; i++) {
		uint8_t *p = e + 128 * i;
		memcpy(p, linux_type, 16);
		memset(p + 16, (int)(i + 1), 16);
		put64(p + 32, l->parts[i].first);
		put64(p + 40, l->parts[i].last);
		for (size_t k = 0; l->parts[i].name[k]; k++)
			p[56 + 2 * k] = (uint8_t)l->parts[i].name[k];
	}
}

static void write_header(uint8_t *h, uint64_t my, uint64_t alt, uint64_t entries, uint32_t ents_crc)
{
	memset(h, 0, SECT);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, my);
	put64(h + 32, alt);
	put64(h + 40, 34);
	put64(h + 48, LAST - 33);
	memset(h + 56, 0x5A, 16);
	put64(h + 72, entries);
	put32(h + 80, 128);
	put32(h + 84, 128);
	put32(h + 88, ents_crc);
	put32(h + 16, (uint32_t)crc32(0L, h, 92));
}

static void write_gpt(uint8_t *img, const struct layout *l)
{
	static uint8_t ents[128 * 128];
	uint32_t crc;

	write_entries(ents, l);
	crc = (uint32_t)crc32(0L, ents, sizeof(ents));
	img[446 + 4] = 0xEE;
	put32(img + 446 + 8, 1);
	put32(img + 446 + 12, LAST);
	memcpy(img + 2 * SECT, ents, sizeof(ents));
	write_header(img + SECT, 1, LAST, 2, crc);
	if (l->backup) {
		memcpy(img + (LAST - 32) * SECT, ents, sizeof(ents));
		write_header(img + LAST * SECT, LAST, 1, LAST - 32, crc);
	}
}

static void write_env(uint8_t *env)
{
	static const char vars[] = "bootdelay=0\0foo=bar\0";
	memset(env, 0xFF, 0x4000);
	memcpy(env + 4, vars, sizeof(vars)); /* includes the terminating empty entry */
	put32(env, (uint32_t)crc32(0L, env + 4, 0x4000 - 4));
}

static uint8_t *build(const struct layout *l)
{
	uint8_t *img = calloc(1, DISK_LEN);
	const struct k1_buf *fsbl = l->big_fsbl ? &fx->big_fsbl : &fx->fsbl;

	assert_non_null(img);
	img[510] = 0x55;
	img[511] = 0xAA;
	if (l->gpt)
		write_gpt(img, l);
	if (l->media >= 0) {
		struct k1_bootinfo bi;
		k1_bootinfo_defaults((enum k1_media)l->media, &bi);
		k1_bootinfo_encode(&bi, img);
	}
	if (l->fsbl_at)
		memcpy(img + l->fsbl_at, fsbl->data, fsbl->len);
	if (l->env)
		write_env(img + 0x60000);
	if (l->fits) {
		memcpy(img + 896 * SECT, fx->sbi.data, fx->sbi.len);
		memcpy(img + 1664 * SECT, fx->ub.data, fx->ub.len);
	}
	return img;
}

/* ---- running the verifier ---- */

/* Failed checks as "name @ where: message\n" lines; returns how many (-1:
 * the verifier returned an error, message in out). */
static int verify_img(const uint8_t *img, size_t len, char *out, size_t outsz)
{
	return test_verify(&k1_format_disk, "sd.img", img, len, true, out, outsz);
}

/* o[k1][k2] as a string (NULL when absent). */
static const char *sub_str(json_t *o, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(o, k1), k2));
}

static const struct k1_check *find_check(const struct k1_checks *c, const char *name)
{
	for (size_t i = 0; i < c->count; i++)
		if (!strcmp(c->items[i].name, name))
			return &c->items[i];
	return NULL;
}

/* ---- the GPT reader ---- */

static void test_gpt_reader(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	struct k1_gpt g;
	struct k1_error err = {0};
	char guid[37];
	(void)state;

	assert_int_equal(k1_gpt_read(img, DISK_LEN, 1, &g, &err), 0);
	assert_int_equal(g.count, 5);
	assert_string_equal(g.entries[2].name, "opensbi");
	assert_int_equal(g.entries[2].index, 3);
	assert_int_equal(g.entries[2].first_lba, 896);
	assert_int_equal(g.entries[2].last_lba, 1663);
	k1_gpt_guid_str(g.entries[0].type_guid, guid);
	assert_string_equal(guid, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
	assert_string_equal(k1_gpt_type_name(g.entries[0].type_guid), "linux");
	assert_ptr_equal(k1_gpt_find(&g, "uboot"), &g.entries[3]);
	assert_null(k1_gpt_find(&g, "ubo"));
	assert_int_equal(g.hdr.header_crc, g.hdr.header_crc_computed);
	assert_int_equal(g.hdr.entries_crc, g.hdr.entries_crc_computed);
	assert_int_equal(g.hdr.alt_lba, LAST);
	k1_gpt_free(&g);
	/* the backup reads the same */
	assert_int_equal(k1_gpt_read(img, DISK_LEN, LAST, &g, &err), 0);
	assert_int_equal(g.count, 5);
	assert_int_equal(g.hdr.entries_lba, LAST - 32);
	k1_gpt_free(&g);
	free(img);
}

static void test_gpt_names(void **state)
{
	/* é, U+1F600 as a surrogate pair, a lone high surrogate, a control char */
	const uint8_t u[] = {'a',  0,   0xE9, 0,    0x3D, 0xD8, 0x00, 0xDE, 0x00,
			     0xD8, 'b', 0,    0x07, 0,    0,    0,    'x',  0};
	char out[K1_GPT_NAME_MAX], tiny[4];
	uint8_t full[72];
	(void)state;

	k1_gpt_name_utf8(u, sizeof(u) / 2, out, sizeof(out));
	assert_string_equal(out, "a\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD"
				 "b?");
	k1_gpt_name_utf8(u, sizeof(u) / 2, tiny, sizeof(tiny)); /* cut at a whole character */
	assert_string_equal(tiny, "a\xC3\xA9");
	for (int i = 0; i < 36; i++) { /* 36 units, no NUL: the longest name */
		full[2 * i] = 0x00;
		full[2 * i + 1] = 0x4E; /* U+4E00: 3 UTF-8 bytes each */
	}
	k1_gpt_name_utf8(full, 36, out, sizeof(out));
	assert_int_equal(strlen(out), 108);
}

/* The one GPT writer: what it lays out reads back, entry types as given,
 * names cut at 36 characters; k1_gpt_check refuses what build writes as is. */
static void test_gpt_writer(void **state)
{
	static uint8_t disk[DISK_LEN];
	const char *longname = "a-name-of-forty-characters-0123456789ab";
	uint8_t linux_type[16], dguid[16] = {1}, raw[16];
	struct k1_gpt_new_part p[2] = {
		{.name = "boot", .first_lba = 34, .last_lba = 99},
		{.name = longname,
		 .first_lba = 100,
		 .last_lba = LAST - 33,
		 .type_guid = linux_type},
	};
	struct k1_error err = {0};
	struct k1_gpt g;
	char s[37];
	(void)state;

	assert_int_equal(k1_gpt_guid_parse("0fc63daf-8483-4772-8E79-3D69D8477DE4", linux_type), 0);
	assert_int_equal(k1_gpt_guid_parse("0FC63DAF-8483-4772-8E79-3D69D8477DE", raw), -1);
	memset(raw, 0xFF, 16);
	k1_gpt_guid_v4(p[0].guid, raw);
	k1_gpt_guid_str(p[0].guid, s);
	assert_string_equal(s, "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF");

	memset(disk, 0xAA, DISK_LEN);
	assert_int_equal(k1_gpt_check(p, 2, DISK_SECTORS, &err), K1_EINVAL); /* name too long */
	assert_int_equal(k1_gpt_build(p, 2, DISK_SECTORS, dguid, disk,
				      disk + DISK_LEN - K1_GPT_BACKUP_BYTES, &err),
			 0);
	assert_int_equal(disk[0], 0); /* LBA 0-439 are the caller's */
	assert_int_equal(disk[450], 0xEE);
	for (uint64_t lba = 1; lba < DISK_SECTORS; lba += DISK_SECTORS - 2) {
		assert_int_equal(k1_gpt_read(disk, DISK_LEN, lba, &g, &err), 0);
		assert_int_equal(g.hdr.header_crc, g.hdr.header_crc_computed);
		assert_int_equal(g.hdr.entries_crc, g.hdr.entries_crc_computed);
		assert_int_equal(g.hdr.first_usable, K1_GPT_FIRST_LBA);
		assert_int_equal(g.hdr.last_usable, LAST - 33);
		assert_int_equal(g.count, 2);
		assert_string_equal(k1_gpt_type_name(g.entries[0].type_guid), "basic-data");
		assert_string_equal(k1_gpt_type_name(g.entries[1].type_guid), "linux");
		assert_int_equal(strlen(g.entries[1].name), K1_GPT_NAME_UNITS);
		assert_memory_equal(g.entries[0].guid, p[0].guid, 16);
		k1_gpt_free(&g);
	}

	p[1].name = "root";
	assert_int_equal(k1_gpt_check(p, 2, DISK_SECTORS, &err), 0);
	p[1].first_lba = 99;
	assert_int_equal(k1_gpt_check(p, 2, DISK_SECTORS, &err), K1_ERANGE);
	assert_non_null(strstr(err.msg, "overlaps \"boot\""));
	p[1].first_lba = 100, p[1].last_lba = LAST - 32;
	assert_int_equal(k1_gpt_check(p, 2, DISK_SECTORS, &err), K1_ERANGE);
	assert_int_equal(k1_gpt_build(p, 2, 67, dguid, disk, disk + 512, &err), K1_ERANGE);
}

static void test_gpt_header_errors(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	struct k1_gpt_header h;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, DISK_SECTORS, &h, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "past the end"));
	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, 2, &h, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "no GPT header at 0x400"));
	put32(img + SECT + 12, 91);
	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, 1, &h, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "header_size 91"));
	put32(img + SECT + 12, 92);
	put32(img + SECT + 84, 96);
	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, 1, &h, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "entry size 96"));
	put32(img + SECT + 84, 128);
	put32(img + SECT + 80, 0x10000);
	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, 1, &h, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "more than 1 MiB"));
	/* entries past the end: the header reads, the table does not */
	put32(img + SECT + 80, 128);
	put64(img + SECT + 72, LAST - 2);
	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, 1, &h, &err), 0);
	assert_false(h.entries_in_file);
	{
		struct k1_gpt g;
		assert_int_equal(k1_gpt_read(img, DISK_LEN, 1, &g, &err), K1_EINVAL);
		assert_non_null(strstr(err.msg, "entry array at LBA 8189"));
	}
	put64(img + SECT + 72, UINT64_MAX / 2); /* must not wrap */
	assert_int_equal(k1_gpt_read_header(img, DISK_LEN, 1, &h, &err), 0);
	assert_false(h.entries_in_file);
	free(img);
}

/* ---- the disk format ---- */

static void test_clean_image(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	struct k1_input in = {"sd.img", img, DISK_LEN};
	struct k1_checks c = {0};
	struct k1_error err = {0};
	char out[8192];
	static const char *const must[] = {
		"disk.bootinfo",
		"bootinfo.crc32",
		"gpt.header.crc32",
		"gpt.entries.crc32",
		"gpt.backup",
		"gpt.overlap",
		"disk.spl0.fsbl",
		"fsbl.signature1",
		"disk.spl0.gpt",
		"disk.spl0.partition",
		"disk.opensbi.partition",
		"disk.opensbi.fit",
		"disk.uboot.fit",
		"disk.env",
		"disk.env.partition",
	};
	(void)state;

	assert_true(k1_format_disk.probe(img, DISK_LEN));
	assert_ptr_equal(k1_format_detect(img, DISK_LEN), &k1_format_disk);
	if (verify_img(img, DISK_LEN, out, sizeof(out)) != 0)
		fail_msg("clean image failed:\n%s", out);
	assert_int_equal(k1_format_disk.verify(&in, NULL, &c, &err), 0);
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!find_check(&c, must[i]))
			fail_msg("check %s was not run", must[i]);
	k1_checks_free(&c);
	free(img);
}

static void test_inspect(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	struct k1_input in = {"sd.img", img, DISK_LEN};
	struct k1_error err = {0};
	json_t *j = NULL, *p;
	(void)state;

	assert_int_equal(k1_format_disk.inspect(&in, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "partition_table")), "gpt");
	assert_string_equal(sub_str(j, "bootinfo", "media"), "sd");
	p = json_object_get(j, "partitions");
	assert_int_equal(json_array_size(p), 5);
	p = json_array_get(p, 3);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "uboot");
	assert_int_equal(json_integer_value(json_object_get(p, "offset")), 1664 * SECT);
	assert_int_equal(json_integer_value(json_object_get(p, "size")), 4096 * SECT);
	assert_string_equal(sub_str(j, "spl0", "found"), "fsbl");
	assert_non_null(json_object_get(json_object_get(j, "spl0"), "fsbl"));
	assert_string_equal(sub_str(j, "opensbi", "found"), "fit");
	assert_string_equal(sub_str(j, "uboot", "found"), "fit");
	assert_string_equal(sub_str(j, "env", "found"), "env");
	assert_string_equal(sub_str(j, "gpt", "backup"), "ok");
	json_decref(j);
	free(img);
}

/* Offsets are the disk's: checks->base moves to each region and back. */
static void test_nested_offsets(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	struct k1_input in = {"sd.img", img, DISK_LEN};
	struct k1_checks c = {0};
	struct k1_error err = {0};
	char want[32];
	(void)state;

	c.base = 0x1000000; /* as if the disk were itself inside something */
	assert_int_equal(k1_format_disk.verify(&in, NULL, &c, &err), 0);
	assert_int_equal(c.base, 0x1000000);
	assert_string_equal(find_check(&c, "disk.spl0.fsbl")->where, "0x1020000");
	assert_string_equal(find_check(&c, "fsbl.header0.magic")->where, "0x1020100");
	snprintf(want, sizeof(want), "0x%zx", 0x1020000 + 0x1000 + (size_t)((5000 + 31) / 32 * 32));
	assert_string_equal(find_check(&c, "fsbl.signature1")->where, want);
	assert_string_equal(find_check(&c, "disk.env")->where, "0x1060000");
	assert_string_equal(find_check(&c, "bootinfo.crc32")->where, "0x1000040");
	k1_checks_free(&c);
	free(img);
}

static void l_emmc(struct layout *l)
{
	l->media = K1_MEDIA_EMMC;
}
static void l_no_bootinfo(struct layout *l)
{
	l->media = -1;
}
static void l_fsbl_moved(struct layout *l)
{
	l->fsbl_at = 0x40000;
}
static void l_uboot_renamed(struct layout *l)
{
	l->parts[3].name = "u-boot";
}
static void l_no_fits(struct layout *l)
{
	l->fits = false;
}
static void l_overlap(struct layout *l)
{
	l->parts[2].last = 1700;
}
static void l_outside(struct layout *l)
{
	l->parts[4].last = LAST;
}
static void l_fsbl_part(struct layout *l)
{
	l->parts[0].first = 384;
}
static void l_env_part(struct layout *l)
{
	l->parts[1].first = 800;
}
static void l_big_fsbl(struct layout *l)
{
	l->big_fsbl = true;
}
static void l_no_backup(struct layout *l)
{
	l->backup = false;
}

static void x_header_crc(uint8_t *img)
{
	img[SECT + 16] ^= 1;
}
static void x_entries(uint8_t *img)
{
	img[2 * SECT + 56] = 'F';
} /* fsbl -> Fsbl, primary only */
static void x_env_crc(uint8_t *img)
{
	img[0x60000 + 10] ^= 0x20;
}
static void x_spl_byte(uint8_t *img)
{
	img[0x20000 + 0x1800] ^= 1;
}
static void x_backup_guid(uint8_t *img)
{
	uint8_t *h = img + LAST * SECT;
	h[56] ^= 1;
	put32(h + 16, 0);
	put32(h + 16, (uint32_t)crc32(0L, h, 92));
}
static void x_env_blank(uint8_t *img)
{
	memset(img + 0x60000, 0, 0x4000);
}

struct case_ {
	const char *what;
	void (*layout)(struct layout *l);
	void (*bytes)(uint8_t *img);
	const char *fails[3]; /* "check @ where" prefixes that must be among the failures */
	const char *words;    /* in the messages */
	int count;            /* failures expected (0: any number) */
};

static void test_failures_are_named(void **state)
{
	static const struct case_ cases[] = {
		{"bootinfo_emmc on an SD card",
		 l_emmc,
		 NULL,
		 {"disk.spl0.fsbl @ 0x200", "disk.spl0.gpt @ 0x200"},
		 "the primary GPT header",
		 2},
		{"no bootinfo", l_no_bootinfo, NULL, {"disk.bootinfo @ 0x0"}, "0xB00714F0", 1},
		{"FSBL at the wrong offset",
		 l_fsbl_moved,
		 NULL,
		 {"disk.spl0.fsbl @ 0x20000"},
		 "found zero bytes",
		 1},
		{"uboot renamed",
		 l_uboot_renamed,
		 NULL,
		 {"disk.uboot.partition @ 0x400"},
		 "\"u-boot\"",
		 1},
		{"no FITs",
		 l_no_fits,
		 NULL,
		 {"disk.opensbi.fit @ 0x70000", "disk.uboot.fit @ 0xd0000"},
		 "found zero bytes",
		 2},
		{"overlapping partitions",
		 l_overlap,
		 NULL,
		 {"gpt.overlap @ 0xd0000"},
		 "partition 3 \"opensbi\"",
		 1},
		{"partition outside the usable LBAs",
		 l_outside,
		 NULL,
		 {"gpt.partition @ 0x300000"},
		 "inside the usable LBAs 34-8158",
		 1},
		{"fsbl partition elsewhere",
		 l_fsbl_part,
		 NULL,
		 {"disk.spl0.partition @ 0x30000"},
		 "spl0_offset 0x20000",
		 1},
		{"env partition elsewhere",
		 l_env_part,
		 NULL,
		 {"disk.env.partition @ 0x64000"},
		 "CONFIG_ENV_OFFSET",
		 1},
		{"FSBL over the env",
		 l_big_fsbl,
		 NULL,
		 {"disk.spl0.size @ 0x20000", "disk.spl0.overlap @ 0x20000"},
		 "environment",
		 0},
		{"no backup GPT",
		 l_no_backup,
		 NULL,
		 {"gpt.backup @ 0x3ffe00"},
		 "backup GPT header",
		 1},
		{"header CRC", NULL, x_header_crc, {"gpt.header.crc32 @ 0x210"}, "CRC-32", 1},
		{"entries CRC", NULL, x_entries, {"gpt.entries.crc32 @ 0x258"}, "128 entries", 1},
		{"backup differs", NULL, x_backup_guid, {"gpt.backup @ 0x3ffe00"}, "disk GUID", 1},
		{"env CRC",
		 NULL,
		 x_env_crc,
		 {"disk.env @ 0x60000", "env.crc32 @ 0x60000"},
		 "mkenvimage",
		 0},
		{"SPL byte", NULL, x_spl_byte, {"fsbl.signature1 @ 0x"}, "spl key", 1},
	};
	char out[16384];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_ *k = &cases[i];
		struct layout l = default_layout();
		uint8_t *img;
		int n;
		if (k->layout)
			k->layout(&l);
		img = build(&l);
		if (k->bytes)
			k->bytes(img);
		n = verify_img(img, DISK_LEN, out, sizeof(out));
		free(img);
		if (n < 1 || (k->count && n != k->count) || !strstr(out, k->words))
			fail_msg("%s: expected %d failures naming '%s', got %d:\n%s", k->what,
				 k->count, k->words, n, out);
		for (int f = 0; f < 3 && k->fails[f]; f++)
			if (!strstr(out, k->fails[f]))
				fail_msg("%s: expected a failure '%s', got:\n%s", k->what,
					 k->fails[f], out);
	}
}

/* A blank environment area is fine (U-Boot uses its default); a primary
 * GPT with a bad CRC still lets the backup name the partitions. */
static void test_tolerated(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	struct k1_input in = {"sd.img", img, DISK_LEN};
	struct k1_error err = {0};
	char out[8192];
	json_t *j = NULL;
	(void)state;

	x_env_blank(img);
	assert_int_equal(verify_img(img, DISK_LEN, out, sizeof(out)), 0);
	x_header_crc(img);
	assert_int_equal(verify_img(img, DISK_LEN, out, sizeof(out)), 1);
	assert_int_equal(k1_format_disk.inspect(&in, &j, &err), 0);
	assert_string_equal(sub_str(j, "gpt", "source"), "backup");
	assert_string_equal(sub_str(j, "gpt", "primary"), "damaged");
	assert_int_equal(json_array_size(json_object_get(j, "partitions")), 5);
	json_decref(j);
	free(img);
}

/* The Armbian layout: MBR, bootinfo_emmc, FSBL at 0x200, FITs at the BPI
 * SPL's raw sectors 0x500 and 0x800. */
static void test_mbr_layout(void **state)
{
	struct layout l = default_layout();
	uint8_t *img;
	char out[8192];
	(void)state;

	l.gpt = false;
	l.fits = false;
	l.env = false;
	l.media = K1_MEDIA_EMMC;
	l.fsbl_at = 0x200;
	img = build(&l);
	img[446 + 4] = 0x83;
	put32(img + 446 + 8, 8192);
	memcpy(img + 0x500 * SECT, fx->sbi.data, fx->sbi.len);
	assert_true(k1_format_disk.probe(img, DISK_LEN));
	assert_int_equal(verify_img(img, DISK_LEN, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "disk.uboot.fit @ 0x100000"));
	memcpy(img + 0x800 * SECT, fx->ub.data, fx->ub.len);
	if (verify_img(img, DISK_LEN, out, sizeof(out)))
		fail_msg("MBR layout:\n%s", out);
	free(img);
}

static void run_all(const uint8_t *img, size_t len)
{
	struct k1_input in = {"sd.img", img, len};
	struct k1_error err = {0};
	char out[16384];
	json_t *j = NULL;

	verify_img(img, len, out, sizeof(out));
	if (!k1_format_disk.inspect(&in, &j, &err))
		json_decref(j);
}

/* Truncated images: every length up to 4 KiB, then a sample; each is
 * refused with a message or fails a check (the backup GPT is gone). */
static void test_truncations(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	char out[16384];
	(void)state;

	for (size_t len = 0; len < DISK_LEN; len += len < 4096 ? 1 : 4093) {
		uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees overreads */
		int n;
		memcpy(copy, img, len);
		n = verify_img(copy, len, out, sizeof(out));
		if (n == 0)
			fail_msg("length %zu passed", len);
		if (n < 0 && !strstr(out, "truncated"))
			fail_msg("length %zu: unclear error: %s", len, out);
		run_all(copy, len);
		free(copy);
	}
	free(img);
}

/* Flipped bytes: each one in the MBR, GPT header and first entries, and a
 * sample elsewhere. No crash; inspect too. */
static void test_flips(void **state)
{
	struct layout l = default_layout();
	uint8_t *img = build(&l);
	uint32_t seed = 12345;
	(void)state;

	for (size_t pos = 0; pos < 3 * SECT; pos++) {
		img[pos] ^= 0xFF;
		run_all(img, DISK_LEN);
		img[pos] ^= 0xFF;
	}
	for (int i = 0; i < 300; i++) {
		size_t pos;
		seed = seed * 1103515245u + 12345u;
		pos = (seed >> 4) % (6000 * SECT);
		img[pos] ^= 0x5A;
		run_all(img, DISK_LEN);
		img[pos] ^= 0x5A;
	}
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt_reader),     cmocka_unit_test(test_gpt_names),
		cmocka_unit_test(test_gpt_writer),     cmocka_unit_test(test_gpt_header_errors),
		cmocka_unit_test(test_clean_image),    cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_nested_offsets), cmocka_unit_test(test_failures_are_named),
		cmocka_unit_test(test_tolerated),      cmocka_unit_test(test_mbr_layout),
		cmocka_unit_test(test_truncations),    cmocka_unit_test(test_flips),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
