/* k1fw image library: extents, extent copy with holes and zero blocks, the
 * planner's placement and refusals, the GPT it writes (read back with the
 * GPT reader), GUID derivation, and the bmap's self-checksum. */
#include "base/copy.h"
#include "testutil.h"

#include "base/bytes.h"
#include "format/bootinfo.h"
#include "format/gpt.h"
#include "image/image.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

static void test_extents(void **state)
{
	struct k1_extents x = K1_EXTENTS_INIT;

	(void)state;
	assert_int_equal(k1_extents_add(&x, 8192, 9000), 0);
	assert_int_equal(k1_extents_add(&x, 0, 100), 0);
	assert_int_equal(k1_extents_add(&x, 100, 200), 0); /* joins the previous one */
	assert_int_equal(k1_extents_add(&x, 5, 5), 0);     /* empty: ignored */
	assert_int_equal(x.n, 2);
	k1_extents_normalize(&x, 4096, 10000);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.v[0].start, 0);
	assert_int_equal(x.v[0].end, 4096);
	assert_int_equal(x.v[1].start, 8192);
	assert_int_equal(x.v[1].end, 10000); /* clipped to the limit */
	assert_int_equal(k1_extents_bytes(&x), 4096 + 1808);
	assert_int_equal(k1_extents_add(&x, 4000, 8200), 0);
	k1_extents_normalize(&x, 4096, 10000);
	assert_int_equal(x.n, 1);
	k1_extents_free(&x);
}

/* A source with a hole, a zero block inside its data, and a skipped range. */
static void test_copy_extents(void **state)
{
	char *dir = test_tmpdir(), sp[4200], dp[4200];
	uint8_t *buf = malloc(1 << 20), *back = malloc(1 << 20);
	struct k1_extents map = K1_EXTENTS_INIT;
	struct k1_extent skip = {100, 200};
	struct k1_error err = {0};
	int s, d;

	(void)state;
	snprintf(sp, sizeof(sp), "%s/src", dir);
	snprintf(dp, sizeof(dp), "%s/dst", dir);
	s = open(sp, O_RDWR | O_CREAT, 0644);
	d = open(dp, O_RDWR | O_CREAT, 0644);
	assert_true(s >= 0 && d >= 0);
	memset(buf, 0xA5, 16384);
	memset(buf + 4096, 0, 4096); /* a zero block inside data */
	assert_int_equal(pwrite(s, buf, 16384, 0), 16384);
	assert_int_equal(pwrite(s, buf, 4096, 512 * 1024), 4096); /* after a hole */
	assert_int_equal(ftruncate(d, 1 << 20), 0);
	struct k1_dest dest = {.fd = d, .name = "dst", .map = &map};
	assert_int_equal(k1_copy_extents(s, "src", &dest, 65536, 512 * 1024 + 4096, &skip, 1, &err),
			 0);
	assert_int_equal(pread(d, back, 1 << 20, 0), 1 << 20);
	for (size_t i = 0; i < 65536; i++)
		assert_int_equal(back[i], 0);
	assert_int_equal(back[65536 + 99], 0xA5);
	assert_int_equal(back[65536 + 100], 0); /* skipped */
	assert_int_equal(back[65536 + 200], 0xA5);
	assert_int_equal(back[65536 + 4096], 0);
	assert_int_equal(back[65536 + 8192], 0xA5);
	assert_int_equal(back[65536 + 512 * 1024], 0xA5);
	/* the map: [0,100) [200,4096) [8192,16384) and the block after the hole */
	k1_extents_normalize(&map, 1, 1 << 20);
	assert_int_equal(map.n, 4);
	assert_int_equal(map.v[1].start, 65536 + 200);
	assert_int_equal(map.v[1].end, 65536 + 4096);
	assert_int_equal(k1_extents_bytes(&map), 100 + 3896 + 8192 + 4096);
	close(s);
	close(d);
	k1_extents_free(&map);
	free(buf);
	free(back);
	test_rmtree(dir);
}

/* A device is not blank: the zero block inside the data and the source's
 * hole are zeroed (not skipped), and the read-back compares every range
 * written, naming the one that changed. */
static void test_copy_to_device(void **state)
{
	char *dir = test_tmpdir(), sp[4200], dp[4200];
	uint8_t *buf = malloc(1 << 20), *back = malloc(1 << 20);
	struct k1_error err = {0};
	int s, d;

	(void)state;
	snprintf(sp, sizeof(sp), "%s/src", dir);
	snprintf(dp, sizeof(dp), "%s/dev", dir);
	s = open(sp, O_RDWR | O_CREAT, 0644);
	d = open(dp, O_RDWR | O_CREAT, 0644);
	assert_true(s >= 0 && d >= 0);
	memset(buf, 0xEE, 1 << 20); /* stale bytes on the "card" */
	assert_int_equal(pwrite(d, buf, 1 << 20, 0), 1 << 20);
	memset(buf, 0xA5, 16384);
	memset(buf + 4096, 0, 4096);
	assert_int_equal(pwrite(s, buf, 16384, 0), 16384);
	assert_int_equal(pwrite(s, buf, 4096, 512 * 1024), 4096);
	struct k1_dest dest = {.fd = d, .name = "dev", .device = true};
	assert_int_equal(k1_copy_extents(s, "src", &dest, 0, 512 * 1024 + 4096, NULL, 0, &err), 0);
	assert_int_equal(pread(d, back, 1 << 20, 0), 1 << 20);
	assert_int_equal(back[4096], 0);                 /* zeroed */
	assert_int_equal(back[8192], 0xA5);              /* data */
	assert_int_equal(back[65536], 0);                /* the source's hole: zeroed */
	assert_int_equal(back[512 * 1024], 0xA5);        /* data after the hole */
	assert_int_equal(back[512 * 1024 + 4096], 0xEE); /* past the source: untouched */
	assert_int_equal(dest.done, 512 * 1024 + 4096);  /* every byte written or zeroed */
	assert_int_equal(k1_dest_verify(&dest, NULL, NULL, &err), 0);
	assert_int_equal(pwrite(d, "x", 1, 512 * 1024 + 10), 1); /* the medium lies */
	assert_int_equal(k1_dest_verify(&dest, NULL, NULL, &err), K1_EIO);
	assert_non_null(strstr(err.msg, "0x80000-0x81000"));
	assert_int_equal(pwrite(d, "x", 1, 4100), 1); /* a zeroed range that is not */
	assert_int_equal(k1_dest_verify(&dest, NULL, NULL, &err), K1_EIO);
	assert_non_null(strstr(err.msg, "0x1000-0x2000 (zeroed)"));
	k1_dest_free(&dest);
	close(s);
	close(d);
	free(buf);
	free(back);
	test_rmtree(dir);
}

/* A minimal bundle: bootinfo_sd.bin, a stand-in FSBL, env, FITs. */
static char *make_bundle(const char *table)
{
	char *dir = test_tmpdir(), sub[4200];
	uint8_t bi[K1_BOOTINFO_SIZE], fsbl[8192] = {0}, blob[3000];
	struct k1_bootinfo b;

	snprintf(sub, sizeof(sub), "%s/factory", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	k1_bootinfo_defaults(K1_MEDIA_SD, &b);
	k1_bootinfo_encode(&b, bi);
	test_write(dir, "factory/bootinfo_sd.bin", bi, sizeof(bi));
	memcpy(fsbl + 0x100, "AIHD", 4);
	fsbl[0x2000 - 1] = 1;
	test_write(dir, "factory/FSBL.bin", fsbl, sizeof(fsbl));
	memset(blob, 0x5A, sizeof(blob));
	test_write(dir, "env.bin", blob, sizeof(blob));
	test_write(dir, "fw_dynamic.itb", blob, sizeof(blob));
	test_write(dir, "u-boot.itb", blob, sizeof(blob));
	test_write_str(dir, "partition_universal.json", table);
	return dir;
}

static const char *const TABLE =
	"{\"version\":\"1.0\",\"format\":\"gpt\",\"partitions\":["
	"{\"name\":\"bootinfo\",\"offset\":\"0K\",\"size\":\"512\",\"hidden\":true,"
	"\"image\":\"factory/bootinfo_sd.bin\",\"holes\":\"{\\\"(80;512)\\\"}\"},"
	"{\"name\":\"fsbl\",\"offset\":\"128K\",\"size\":\"256K\"},"
	"{\"name\":\"env\",\"size\":\"64K\"},"
	"{\"name\":\"opensbi\",\"offset\":\"1M\",\"size\":\"1M\"},"
	"{\"name\":\"uboot\",\"size\":\"2M\"},"
	"{\"name\":\"rootfs\",\"offset\":\"4M\",\"size\":\"-\"}]}";

static int nlogs;
static void count_log(void *ctx, const char *msg)
{
	(void)ctx, (void)msg;
	nlogs++;
}

static void test_plan_and_gpt(void **state)
{
	char *dir = make_bundle(TABLE);
	struct k1_image_opts o = {.bundle = dir, .media = K1_MEDIA_SD, .size = 8 << 20};
	struct k1_image_plan p, q;
	struct k1_error err = {0};
	uint8_t *disk = calloc(1, 8 << 20);
	struct k1_gpt gpt;

	(void)state;
	assert_int_equal(k1_image_plan(&o, &p, count_log, NULL, &err), 0);
	assert_int_equal(p.disk_size, 8 << 20);
	assert_int_equal(p.parts[2].offset, 384 * 1024);                     /* env: implicit */
	assert_int_equal(p.parts[4].offset, 2 << 20);                        /* uboot: implicit */
	assert_int_equal(p.parts[5].size, (8 << 20) - (4 << 20) - 33 * 512); /* to LBA n-34 */
	assert_int_equal(p.nextra, 1); /* spl1 0x80000 is free here */
	assert_int_equal(p.extra[0].offset, 0x80000);
	assert_int_equal(p.disk_guid[7] >> 4, 4);      /* version 4 */
	assert_int_equal(p.disk_guid[8] & 0xC0, 0x80); /* RFC 4122 variant */

	assert_int_equal(k1_image_gpt(&p, disk, disk + (8 << 20) - 33 * 512, &err), 0);
	assert_int_equal(k1_le32(disk), K1_BOOTINFO_MAGIC);
	assert_int_equal(disk[450], 0xEE);
	assert_int_equal(k1_gpt_read(disk, 8 << 20, 1, &gpt, &err), 0);
	assert_int_equal(gpt.count, 5); /* bootinfo is hidden */
	assert_int_equal(gpt.hdr.header_crc, gpt.hdr.header_crc_computed);
	assert_int_equal(gpt.hdr.entries_crc, gpt.hdr.entries_crc_computed);
	assert_string_equal(gpt.entries[0].name, "fsbl");
	assert_int_equal(gpt.entries[0].first_lba, 256);
	assert_int_equal(gpt.entries[4].last_lba, (8 << 20) / 512 - 34);
	k1_gpt_free(&gpt);
	assert_int_equal(k1_gpt_read(disk, 8 << 20, (8 << 20) / 512 - 1, &gpt, &err), 0);
	assert_int_equal(gpt.count, 5);
	assert_int_equal(gpt.hdr.alt_lba, 1);
	k1_gpt_free(&gpt);

	/* the same inputs give the same GUIDs; --random-guids others */
	assert_int_equal(k1_image_plan(&o, &q, NULL, NULL, &err), 0);
	assert_memory_equal(p.disk_guid, q.disk_guid, 16);
	assert_memory_equal(p.parts[1].guid, q.parts[1].guid, 16);
	assert_memory_not_equal(p.parts[1].guid, p.parts[2].guid, 16);
	k1_image_plan_free(&q);
	o.random_guids = true;
	assert_int_equal(k1_image_plan(&o, &q, NULL, NULL, &err), 0);
	assert_memory_not_equal(p.disk_guid, q.disk_guid, 16);
	k1_image_plan_free(&q);
	k1_image_plan_free(&p);
	free(disk);
	test_rmtree(dir);
}

static void test_refusals(void **state)
{
	char *dir = make_bundle(TABLE), table[4200];
	struct k1_image_opts o = {.bundle = dir, .media = K1_MEDIA_SD, .size = 8 << 20};
	struct k1_image_override ov = {"uboot", "/nonexistent/u-boot.itb"};
	struct k1_image_plan p;
	struct k1_error err = {0};

	(void)state;
	/* env moved into the fsbl partition */
	snprintf(table, sizeof(table), "%s/overlap.json", dir);
	test_write_str(dir, "overlap.json",
		       "{\"format\":\"gpt\",\"partitions\":["
		       "{\"name\":\"fsbl\",\"offset\":\"128K\",\"size\":\"256K\"},"
		       "{\"name\":\"env\",\"offset\":\"256K\",\"size\":\"64K\"},"
		       "{\"name\":\"opensbi\",\"offset\":\"1M\",\"size\":\"1M\"},"
		       "{\"name\":\"uboot\",\"size\":\"2M\"}]}");
	o.table = table;
	assert_int_equal(k1_image_plan(&o, &p, NULL, NULL, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "partition env (0x40000-0x50000) overlaps partition fsbl"));
	o.force = true;
	nlogs = 0;
	assert_int_equal(k1_image_plan(&o, &p, count_log, NULL, &err), 0);
	assert_true(nlogs >= 1);
	assert_true(p.warnings >= 1);
	k1_image_plan_free(&p);

	o.force = false;
	o.table = NULL;
	o.overrides = &ov;
	o.noverrides = 1;
	assert_int_equal(k1_image_plan(&o, &p, NULL, NULL, &err), K1_EINVAL);
	assert_non_null(
		strstr(err.msg, "partition uboot: image /nonexistent/u-boot.itb not found"));
	o.noverrides = 0;
	o.size = 4 << 20;
	assert_int_equal(k1_image_plan(&o, &p, NULL, NULL, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "the layout needs"));
	test_rmtree(dir);
}

static void test_bmap_checksum(void **state)
{
	char *dir = test_tmpdir(), path[4200];
	struct k1_extents map = K1_EXTENTS_INIT;
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	uint8_t data[8192], h[32];
	unsigned hl;
	char *sum, hex[65];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/img", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	memset(data, 7, sizeof(data));
	assert_int_equal(pwrite(fd, data, sizeof(data), 16384), (ssize_t)sizeof(data));
	assert_int_equal(ftruncate(fd, 65536), 0);
	k1_extents_add(&map, 16384, 16384 + 8192);
	assert_int_equal(k1_bmap_build(fd, "img", 65536, &map, &out, &err), 0);
	assert_int_equal(k1_buf_append(&out, "", 1), 0);
	assert_non_null(strstr((char *)out.data, "<Range chksum="));
	assert_non_null(strstr((char *)out.data, "> 4-5 </Range>"));
	assert_non_null(strstr((char *)out.data, "<MappedBlocksCount> 2 </MappedBlocksCount>"));
	sum = strstr((char *)out.data, "<BmapFileChecksum> ") + 19;
	memcpy(hex, sum, 64);
	hex[64] = '\0';
	memset(sum, '0', 64);
	EVP_Digest(out.data, out.len - 1, h, &hl, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++) {
		char two[3];
		snprintf(two, sizeof(two), "%02x", h[i]);
		assert_memory_equal(two, hex + 2 * i, 2);
	}
	close(fd);
	k1_buf_free(&out);
	k1_extents_free(&map);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extents),        cmocka_unit_test(test_copy_extents),
		cmocka_unit_test(test_copy_to_device), cmocka_unit_test(test_plan_and_gpt),
		cmocka_unit_test(test_refusals),       cmocka_unit_test(test_bmap_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
