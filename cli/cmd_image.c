/* k1fw image: a bootable SD-card or eMMC image from a release folder. */
#include "base/fileio.h"
#include "command.h"
#include "format/gpt.h"
#include "image/image.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTS 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw image --bundle DIR [--table partition_universal.json] --media "
		"sd|emmc\n"
		"                  -o OUT [--boot0 F] [--size 8G] [--part NAME=FILE]...\n"
		"                  [--android-sparse F] [--bmap F] [--genimage-config F]\n"
		"                  [--force] [--random-guids] [--no-fs-skip] [--json]\n\n"
		"Assemble what the card or chip holds, from a release folder (k1fw bundle) and\n"
		"its GPT partition table (default DIR/partition_universal.json):\n"
		"  sd    OUT: bootinfo in bytes 0-79 beside the protective MBR, primary and\n"
		"        backup GPT (every partition not hidden), the FSBL at the bootinfo's\n"
		"        spl0_offset (the fsbl partition), a backup FSBL at spl1_offset when the\n"
		"        table leaves it free, every partition's file at its offset.\n"
		"  emmc  OUT: the user area (GPT and partitions; fsbl stays empty, as after\n"
		"        fastboot), and boot0 (--boot0, default boot0.img beside OUT): the\n"
		"        bootinfo at 0 (the vendor's eMMC values, or --part bootinfo=F) and\n"
		"        the FSBL at 0x200.\n\n"
		"Files: the table's \"image\" (relative to DIR), else the bundle's usual one\n"
		"(fsbl factory/FSBL.bin, env env.bin, opensbi fw_dynamic.itb, uboot u-boot.itb,\n"
		"bootfs.ext4, rootfs.ext4 when present); --part NAME=FILE replaces it\n"
		"(NAME= leaves the partition empty). Holes of the table are not written,\n"
		"nor the free blocks of an ext2/3/4 file (its block bitmap says which: a\n"
		"deleted file's bytes need not be copied); they stay holes, unmapped in the\n"
		"Android sparse image and the bmap.\n\n"
		"  --size N            disk size (K/M/G; a multiple of 4 KiB); default: the\n"
		"                      smallest whole MiB that holds the layout (a device:\n"
		"                      its size)\n"
		"  --android-sparse F  also write OUT as an Android sparse image (fastboot)\n"
		"  --bmap F            also write a bmaptool block map of OUT\n"
		"  --genimage-config F the equivalent genimage config (alone: no image)\n"
		"  --force             write a refused layout anyway, with warnings\n"
		"  --random-guids      random disk and partition GUIDs (default: derived\n"
		"                      from the inputs, so the same inputs give the same bytes)\n"
		"  --no-fs-skip        copy ext2/3/4 files whole, free blocks too\n"
		"  --json              print the layout as JSON\n\n"
		"Refused (one line naming the partition and offset): overlapping partitions,\n"
		"an image larger than its partition, the fsbl partition not at the bootinfo's\n"
		"spl0_offset, an FSBL over spl_size_limit, a missing image file, a partition\n"
		"on the GPT, misaligned partitions, a layout larger than --size. Only the\n"
		"data is written: unwritten ranges stay holes. Outputs appear together or\n"
		"not at all.\n\n"
		"OUT may be the card's block device (-o /dev/sdX; --boot0 /dev/mmcblkNboot0):\n"
		"it is written in place, only the data and the zeros the GPTs and the\n"
		"bootinfo sector need, then flushed and read back range by range. Refused:\n"
		"a device smaller than the image, one that is mounted (any partition), held\n"
		"(LVM, RAID, encryption), swap, or the disk holding /.\n");
}

static void warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

static json_t *layout_json(const struct k1_image_plan *p, const struct k1_extents *map,
			   const struct k1_image_outputs *o)
{
	json_t *root = json_object(), *parts = json_array(), *extra = json_array();
	char g[37];

	json_object_set_new(root, "media", json_string(k1_media_name(p->media)));
	json_object_set_new(root, "table", json_string(p->table_path));
	json_object_set_new(root, "size", json_integer((json_int_t)p->disk_size));
	k1_gpt_guid_str(p->disk_guid, g);
	json_object_set_new(root, "disk_guid", json_string(g));
	json_object_set_new(root, "bootinfo",
			    p->bootinfo_path ? json_string(p->bootinfo_path)
					     : json_string("(the vendor's eMMC values)"));
	for (size_t i = 0; i < p->nparts; i++) {
		const struct k1_image_part *ip = &p->parts[i];
		json_t *r = json_object();
		json_object_set_new(r, "name", json_string(ip->tp->name));
		json_object_set_new(r, "offset", json_integer((json_int_t)ip->offset));
		json_object_set_new(r, "size", json_integer((json_int_t)ip->size));
		json_object_set_new(r, "gpt", json_boolean(ip->in_gpt));
		json_object_set_new(r, "bytes", json_integer((json_int_t)ip->file_size));
		json_object_set_new(r, "image", ip->path ? json_string(ip->path) : json_null());
		json_array_append_new(parts, r);
	}
	json_object_set_new(root, "partitions", parts);
	for (size_t i = 0; i < p->nextra; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "what", json_string(p->extra[i].what));
		json_object_set_new(r, "offset", json_integer((json_int_t)p->extra[i].offset));
		json_object_set_new(r, "bytes", json_integer((json_int_t)p->extra[i].len));
		json_array_append_new(extra, r);
	}
	json_object_set_new(root, "other", extra);
	json_t *w = json_object();
	if (o->raw) {
		json_object_set_new(w, "image", json_string(o->raw->name));
		json_object_set_new(w, "data_bytes",
				    json_integer((json_int_t)k1_extents_bytes(map)));
		if (o->raw->blockdev)
			json_object_set_new(w, "device", json_string("written and read back"));
	}
	if (o->boot0)
		json_object_set_new(w, "boot0", json_string(o->boot0->name));
	if (o->sparse)
		json_object_set_new(w, "android_sparse", json_string(o->sparse->name));
	if (o->bmap)
		json_object_set_new(w, "bmap", json_string(o->bmap->name));
	if (o->genimage)
		json_object_set_new(w, "genimage_config", json_string(o->genimage->name));
	json_object_set_new(root, "written", w);
	json_object_set_new(root, "warnings", json_integer((json_int_t)p->warnings));
	return root;
}

/* A device being written: a line redrawn in place on a terminal. */
static void show_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	static const char *shown;

	if (!isatty(STDERR_FILENO))
		return;
	if (shown && shown != phase)
		fputc('\n', stderr);
	shown = phase;
	fprintf(stderr, "\r%s: %s %3u%% (%llu of %llu MiB)", (const char *)ctx, phase,
		total ? (unsigned)(done * 100 / total) : 100u, (unsigned long long)(done >> 20),
		(unsigned long long)(total >> 20));
	if (done >= total && !strcmp(phase, "verifying")) {
		fputc('\n', stderr);
		shown = NULL;
	}
}

/* The outputs, checked before anything is read: a device only for the
 * image itself and boot0. */
struct outputs {
	const char *path[5]; /* raw, boot0, sparse, bmap, genimage */
	struct k1_output o[5];
};

static int init_outputs(struct outputs *w, struct k1_image_outputs *out,
			const struct k1_image_opts *io)
{
	struct k1_output **slot[5] = {&out->raw, &out->boot0, &out->sparse, &out->bmap,
				      &out->genimage};
	struct k1_error err = {0};

	for (int i = 0; i < 5; i++) {
		unsigned flags = i < 2    ? K1_OUTPUT_BLOCKDEV | K1_OUTPUT_NOSYNC
				 : i == 2 ? K1_OUTPUT_NOSYNC
					  : 0;
		if (!w->path[i])
			continue;
		if (k1_output_init(&w->o[i], w->path[i], flags, &err) ||
		    k1_output_input(&w->o[i], io->table, &err))
			return cli_fail_err(&err);
		for (size_t k = 0; k < io->noverrides; k++)
			if (k1_output_input(&w->o[i], io->overrides[k].path, &err))
				return cli_fail_err(&err);
		*slot[i] = &w->o[i];
	}
	return 0;
}

/* A card is written as a disk of its own size (unless --size says
 * otherwise): the GPT and its last partition then span it, and Linux sees
 * the partitions (its protective MBR must cover the whole device). */
static int fit_device(struct k1_image_opts *o, const struct k1_output *dev)
{
	struct k1_image_plan least;
	struct k1_error err = {0};
	uint64_t size = dev->device_size & ~(uint64_t)(K1_IMAGE_BLOCK - 1);

	if (o->size) {
		if (o->size < dev->device_size)
			cli_warn("%s: --size %llu is smaller than the device (%llu bytes): Linux "
				 "will not see its partitions",
				 dev->name, (unsigned long long)o->size,
				 (unsigned long long)dev->device_size);
		return 0;
	}
	if (k1_image_plan(o, &least, NULL, NULL, &err))
		return cli_fail_err(&err);
	uint64_t need = least.disk_size;
	k1_image_plan_free(&least);
	if (need > size)
		return cli_fail("%s: the device holds %llu bytes, the image needs %llu: refusing",
				dev->name, (unsigned long long)dev->device_size,
				(unsigned long long)need);
	o->size = size;
	return 0;
}

static int parse_part(char *arg, struct k1_image_override *ov)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return cli_fail("--part '%s': expected NAME=FILE", arg);
	*eq = '\0';
	ov->name = arg;
	ov->path = eq + 1;
	return 0;
}

static int run(int argc, char **argv)
{
	enum {
		O_BUNDLE = 256,
		O_TABLE,
		O_MEDIA,
		O_BOOT0,
		O_SIZE,
		O_PART,
		O_SPARSE,
		O_BMAP,
		O_GENIMAGE,
		O_FORCE,
		O_RANDOM,
		O_NO_FS_SKIP,
		O_JSON
	};
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, O_BUNDLE},
		{"table", required_argument, NULL, O_TABLE},
		{"media", required_argument, NULL, O_MEDIA},
		{"output", required_argument, NULL, 'o'},
		{"boot0", required_argument, NULL, O_BOOT0},
		{"size", required_argument, NULL, O_SIZE},
		{"part", required_argument, NULL, O_PART},
		{"android-sparse", required_argument, NULL, O_SPARSE},
		{"bmap", required_argument, NULL, O_BMAP},
		{"genimage-config", required_argument, NULL, O_GENIMAGE},
		{"force", no_argument, NULL, O_FORCE},
		{"random-guids", no_argument, NULL, O_RANDOM},
		{"no-fs-skip", no_argument, NULL, O_NO_FS_SKIP},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_image_override ovs[MAX_PARTS];
	struct k1_image_opts o = {.overrides = ovs};
	struct k1_image_outputs out = {.progress = show_progress};
	static struct outputs w; /* 5 paths of PATH_MAX each: not on the stack */
	struct k1_image_plan plan;
	struct k1_extents map = K1_EXTENTS_INIT;
	struct k1_error err = {0};
	const char *media = NULL;
	char boot0[4200];
	bool json = false;
	int c, status;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		unsigned long long v;
		switch (c) {
		case O_BUNDLE:
			o.bundle = optarg;
			break;
		case O_TABLE:
			o.table = optarg;
			break;
		case O_MEDIA:
			media = optarg;
			break;
		case 'o':
			w.path[0] = optarg;
			break;
		case O_BOOT0:
			w.path[1] = optarg;
			break;
		case O_SIZE:
			if (cli_parse_u64(optarg, &v) || !v)
				return cli_fail(
					"--size '%s': expected a size such as 8G or 0x200000000",
					optarg);
			o.size = v;
			break;
		case O_PART:
			if (o.noverrides == MAX_PARTS)
				return cli_fail("--part: at most %d", MAX_PARTS);
			if (parse_part(optarg, &ovs[o.noverrides++]))
				return EXIT_USAGE;
			break;
		case O_SPARSE:
			w.path[2] = optarg;
			break;
		case O_BMAP:
			w.path[3] = optarg;
			break;
		case O_GENIMAGE:
			w.path[4] = optarg;
			break;
		case O_FORCE:
			o.force = true;
			break;
		case O_RANDOM:
			o.random_guids = true;
			break;
		case O_NO_FS_SKIP:
			o.no_fs_skip = true;
			break;
		case O_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option(argv);
		}
	}
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!o.bundle)
		return cli_fail("missing --bundle DIR (a release folder, see k1fw bundle)");
	if (!media || k1_media_parse(media, &o.media) ||
	    (o.media != K1_MEDIA_SD && o.media != K1_MEDIA_EMMC))
		return cli_fail("--media: expected sd or emmc%s%s", media ? ", got " : "",
				media ? media : "");
	if (!w.path[0] && !w.path[4])
		return cli_fail("missing -o OUT (the image file, or the card's device)");
	if (w.path[1] && o.media != K1_MEDIA_EMMC)
		return cli_fail("--boot0 is for --media emmc");
	if (init_outputs(&w, &out, &o))
		return EXIT_USAGE;
	if (o.media == K1_MEDIA_EMMC && out.raw && !out.boot0) {
		char dir[4096];
		if (out.raw->blockdev)
			return cli_fail("%s: a device: give --boot0 too (the eMMC's boot0, e.g. "
					"/dev/mmcblk0boot0)",
					out.raw->name);
		k1_dirname(dir, sizeof(dir), out.raw->name);
		if (k1_path_join(boot0, sizeof(boot0), dir, "boot0.img", &err))
			return cli_fail_err(&err);
		w.path[1] = boot0;
		if (init_outputs(&w, &out, &o))
			return EXIT_USAGE;
	}
	out.progress_ctx = out.raw ? out.raw->name : NULL;
	if (out.raw && out.raw->blockdev && fit_device(&o, out.raw))
		return EXIT_USAGE;
	if (k1_image_plan(&o, &plan, warn_line, NULL, &err))
		return cli_fail_err(&err);
	int note = cli_note_open(); /* a signal cannot undo writing a device */
	for (int i = 0; i < 2; i++)
		if (w.path[i] && w.o[i].blockdev)
			cli_note_set(note, "%s is only partly written: write the image again",
				     w.o[i].name);
	status = k1_image_write(&plan, &out, &map, &err) ? cli_fail_err(&err) : EXIT_OK;
	cli_note_close(note);
	if (status == EXIT_OK) {
		json_t *j = layout_json(&plan, &map, &out);
		if (json)
			cli_print_json(j);
		else
			cli_print_human(j, 0);
		json_decref(j);
	}
	k1_extents_free(&map);
	k1_image_plan_free(&plan);
	return status;
}

const struct k1_command cmd_image = {"image", "assemble a bootable SD-card or eMMC image", run};
