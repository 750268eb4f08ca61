/* k1fw image: a bootable SD-card or eMMC image from a release folder. */
#include "base/fileio.h"
#include "command.h"
#include "format/gpt.h"
#include "image/image.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
		"                      smallest whole MiB that holds the layout\n"
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
		"not at all.\n");
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
		json_object_set_new(w, "image", json_string(o->raw));
		json_object_set_new(w, "data_bytes",
				    json_integer((json_int_t)k1_extents_bytes(map)));
	}
	if (o->boot0)
		json_object_set_new(w, "boot0", json_string(o->boot0));
	if (o->sparse)
		json_object_set_new(w, "android_sparse", json_string(o->sparse));
	if (o->bmap)
		json_object_set_new(w, "bmap", json_string(o->bmap));
	if (o->genimage)
		json_object_set_new(w, "genimage_config", json_string(o->genimage));
	json_object_set_new(root, "written", w);
	json_object_set_new(root, "warnings", json_integer((json_int_t)p->warnings));
	return root;
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
	struct k1_image_outputs out = {0};
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
			out.raw = optarg;
			break;
		case O_BOOT0:
			out.boot0 = optarg;
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
			out.sparse = optarg;
			break;
		case O_BMAP:
			out.bmap = optarg;
			break;
		case O_GENIMAGE:
			out.genimage = optarg;
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
			usage(stderr);
			return EXIT_USAGE;
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
	if (!out.raw && !out.genimage)
		return cli_fail("missing -o OUT (the image file)");
	if (out.boot0 && o.media != K1_MEDIA_EMMC)
		return cli_fail("--boot0 is for --media emmc");
	if (o.media == K1_MEDIA_EMMC && out.raw && !out.boot0) {
		char dir[4096];
		k1_dirname(dir, sizeof(dir), out.raw);
		if (k1_path_join(boot0, sizeof(boot0), dir, "boot0.img", &err))
			return cli_fail_err(&err);
		out.boot0 = boot0;
	}
	const char *outs[] = {out.raw, out.boot0, out.sparse, out.bmap, out.genimage};
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		char dir[4096];
		struct stat st;
		if (!outs[i])
			continue;
		k1_dirname(dir, sizeof(dir), outs[i]);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			return cli_fail("%s: the folder %s does not exist", outs[i], dir);
	}
	if (k1_image_plan(&o, &plan, warn_line, NULL, &err))
		return cli_fail_err(&err);
	status = k1_image_write(&plan, &out, &map, &err) ? cli_fail_err(&err) : EXIT_OK;
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
