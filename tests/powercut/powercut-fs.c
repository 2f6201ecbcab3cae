/*
 * powercut-fs: a FUSE file system that loses, at a simulated power cut, everything that was not
 * made durable. The FastS3 power-cut test runs the server on it (see PowerCutDisk.cs).
 *
 *     powercut-fs MOUNTPOINT
 *
 * The tree lives in memory, and every file and directory has two states: the volatile one, which
 * every call sees, and the durable one, which is what a disk would hold after losing power. fsync
 * or fdatasync of a file makes its bytes and size durable; fsync of a directory makes its entries
 * durable: the names created, removed or renamed in it.
 *
 * Commands come on stdin, one line each, once nothing uses the mount: "cut dropped", "cut kept" or
 * "cut torn SEED" cuts the power in place. Of the unsynced changes, none, all, or a random part
 * (per 4 KiB page, per file size and per directory entry, as a disk writing back its cache in any
 * order can leave things) join the durable state, which then becomes what every call sees: a node
 * that only lost entries named is gone, an unlink or rename whose directory was not synced is
 * undone. The reply is one line on stdout. End of input unmounts.
 *
 * Not modelled: permissions, times and owners (kept, never lost), hard and symbolic links,
 * extended attributes, locks (the kernel keeps flock locks itself), running out of space. A
 * directory renamed with only its new parent synced would be durable in both places: the cut
 * refuses that state rather than give one directory two parents.
 */
#define FUSE_USE_VERSION 34
#define _GNU_SOURCE

#include <fuse_lowlevel.h>

#include <errno.h>
#include <limits.h>
#include <linux/falloc.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

enum { PAGE = 4096 };
enum state { VOLATILE, DURABLE };
enum cut { DROPPED, TORN, KEPT }; /* what becomes of unsynced changes at the cut */

/* Bounds what a write can make the daemon allocate (the page table of one file). */
static const off_t max_file_size = (off_t)16 << 30;

/* What statfs reports: plenty; running out of space is not modelled. */
static const fsblkcnt_t capacity_pages = (fsblkcnt_t)64 << 18;

/* A page of file bytes, shared by reference between states and copied on write. */
struct page {
	unsigned refs;
	char bytes[PAGE];
};

/* One state of a file: its size and pages (NULL: zeros). Bytes past the size are zero. */
struct content {
	off_t size;
	size_t count, capacity;
	struct page **pages;
};

struct entry {
	char *name;
	struct node *node;
};

/* One state of a directory: its entries, in no particular order. */
struct listing {
	size_t count, capacity;
	struct entry *items;
};

struct node {
	struct node *prev, *next; /* every node, for the cut */
	mode_t mode;
	struct timespec mtime;
	uint64_t lookups;  /* references the kernel holds (FORGET gives them back) */
	unsigned links[2]; /* entries naming this node, in volatile and in durable listings */
	struct content data[2];
	struct listing entries[2];
};

/* What a directory handle lists: its entries when it was opened. */
struct snapshot {
	size_t count;
	struct {
		char *name;
		fuse_ino_t ino;
		mode_t mode;
	} items[];
};

static struct node all = { .prev = &all, .next = &all };
static struct node *root;
static size_t node_count, page_count;
static bool cutting; /* no node is freed while the cut walks them all */
static enum cut cut_mode;
static uint64_t random_state;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *allocate(size_t size)
{
	void *memory = calloc(1, size ? size : 1);
	if (!memory)
		die("calloc");
	return memory;
}

static void *grow(void *memory, size_t count, size_t size)
{
	memory = reallocarray(memory, count, size);
	if (!memory)
		die("reallocarray");
	return memory;
}

static char *duplicate(const char *text)
{
	char *copy = strdup(text);
	if (!copy)
		die("strdup");
	return copy;
}

/* Whether an unsynced change reached the disk before the cut: a torn cut draws it (splitmix64, reproducible from the seed). */
static bool reached_disk(void)
{
	if (cut_mode != TORN)
		return cut_mode == KEPT;
	uint64_t z = (random_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) & 1;
}

static struct page *page_ref(struct page *page)
{
	if (page)
		page->refs++;
	return page;
}

static void page_unref(struct page *page)
{
	if (page && --page->refs == 0) {
		free(page);
		page_count--;
	}
}

static void content_reserve(struct content *content, size_t count)
{
	if (count <= content->capacity)
		return;
	size_t capacity = content->capacity ? content->capacity : 4;
	while (capacity < count)
		capacity *= 2;
	content->pages = grow(content->pages, capacity, sizeof *content->pages);
	memset(content->pages + content->capacity, 0, (capacity - content->capacity) * sizeof *content->pages);
	content->capacity = capacity;
}

static void content_clear(struct content *content)
{
	for (size_t i = 0; i < content->count; i++) {
		page_unref(content->pages[i]);
		content->pages[i] = NULL;
	}
	content->count = 0;
	content->size = 0;
}

static void content_free(struct content *content)
{
	content_clear(content);
	free(content->pages);
}

/* Page i, ready to be written: a new page for a hole, a private copy of a shared one. */
static struct page *writable_page(struct content *content, size_t i)
{
	struct page *page = content->pages[i];
	if (page && page->refs == 1)
		return page;
	struct page *fresh = allocate(sizeof *fresh);
	fresh->refs = 1;
	page_count++;
	if (page) {
		memcpy(fresh->bytes, page->bytes, PAGE);
		page_unref(page);
	}
	return content->pages[i] = fresh;
}

static void content_resize(struct content *content, off_t size)
{
	size_t count = (size_t)((size + PAGE - 1) / PAGE);
	content_reserve(content, count);
	for (size_t i = count; i < content->count; i++) {
		page_unref(content->pages[i]);
		content->pages[i] = NULL;
	}
	content->count = count;
	if (size < content->size && size % PAGE && content->pages[count - 1]) {
		struct page *last = writable_page(content, count - 1);
		memset(last->bytes + size % PAGE, 0, PAGE - size % PAGE);
	}
	content->size = size;
}

static void content_write(struct content *content, const char *bytes, size_t size, off_t offset)
{
	if (offset + (off_t)size > content->size)
		content_resize(content, offset + (off_t)size);
	while (size) {
		size_t at = (size_t)(offset % PAGE);
		size_t length = PAGE - at < size ? PAGE - at : size;
		memcpy(writable_page(content, (size_t)(offset / PAGE))->bytes + at, bytes, length);
		bytes += length;
		offset += (off_t)length;
		size -= length;
	}
}

static size_t content_read(const struct content *content, char *bytes, size_t size, off_t offset)
{
	if (offset >= content->size)
		return 0;
	if ((off_t)size > content->size - offset)
		size = (size_t)(content->size - offset);
	for (size_t done = 0; done < size;) {
		const struct page *page = content->pages[(offset + (off_t)done) / PAGE];
		size_t at = (size_t)((offset + (off_t)done) % PAGE);
		size_t length = PAGE - at < size - done ? PAGE - at : size - done;
		if (page)
			memcpy(bytes + done, page->bytes + at, length);
		else
			memset(bytes + done, 0, length);
		done += length;
	}
	return size;
}

/* to = from, sharing the pages. */
static void content_copy(struct content *to, const struct content *from)
{
	content_clear(to);
	content_reserve(to, from->count);
	for (size_t i = 0; i < from->count; i++)
		to->pages[i] = page_ref(from->pages[i]);
	to->count = from->count;
	to->size = from->size;
}

static bool content_same(const struct content *a, const struct content *b)
{
	if (a->size != b->size)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (a->pages[i] != b->pages[i])
			return false;
	return true;
}

static void node_forget_if_unused(struct node *node);

static struct entry *listing_find(const struct listing *listing, const char *name)
{
	for (size_t i = 0; i < listing->count; i++)
		if (strcmp(listing->items[i].name, name) == 0)
			return &listing->items[i];
	return NULL;
}

static void listing_add(struct listing *listing, const char *name, struct node *node, enum state state)
{
	if (listing->count == listing->capacity) {
		listing->capacity = listing->capacity ? listing->capacity * 2 : 8;
		listing->items = grow(listing->items, listing->capacity, sizeof *listing->items);
	}
	listing->items[listing->count++] = (struct entry){ duplicate(name), node };
	node->links[state]++;
}

/* Drops the entry (the last one takes its place) and with it, maybe, the node it named. */
static void listing_remove(struct listing *listing, struct entry *entry, enum state state)
{
	struct node *node = entry->node;
	free(entry->name);
	*entry = listing->items[--listing->count];
	node->links[state]--;
	node_forget_if_unused(node);
}

static void listing_clear(struct listing *listing, enum state state)
{
	while (listing->count)
		listing_remove(listing, &listing->items[listing->count - 1], state);
}

static bool listing_same(const struct listing *a, const struct listing *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		const struct entry *other = listing_find(b, a->items[i].name);
		if (!other || other->node != a->items[i].node)
			return false;
	}
	return true;
}

/* A copy of `from` whose entries count as links of `state`. */
static struct listing listing_copy(const struct listing *from, enum state state)
{
	struct listing copy = { 0 };
	for (size_t i = 0; i < from->count; i++)
		listing_add(&copy, from->items[i].name, from->items[i].node, state);
	return copy;
}

/* The directory's entries in `state` become `next` (built with links of `state` counted). */
static void listing_replace(struct node *directory, enum state state, struct listing next)
{
	struct listing previous = directory->entries[state];
	directory->entries[state] = next;
	listing_clear(&previous, state);
	free(previous.items);
}

/* fsync of a directory: its entries as they are now become durable. */
static void commit_entries(struct node *directory)
{
	listing_replace(directory, DURABLE, listing_copy(&directory->entries[VOLATILE], DURABLE));
}

static void touch(struct node *node)
{
	clock_gettime(CLOCK_REALTIME, &node->mtime);
}

static struct node *node_new(mode_t mode)
{
	struct node *node = allocate(sizeof *node);
	node->mode = mode;
	touch(node);
	node->prev = all.prev;
	node->next = &all;
	all.prev->next = node;
	all.prev = node;
	node_count++;
	return node;
}

/* Nothing can reach the node any more: no entry names it in either state, the kernel holds no reference. */
static bool unused(const struct node *node)
{
	return node != root && !node->lookups && !node->links[VOLATILE] && !node->links[DURABLE];
}

static void node_forget_if_unused(struct node *node)
{
	if (cutting || !unused(node))
		return;
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node_count--;
	for (int state = VOLATILE; state <= DURABLE; state++) {
		content_free(&node->data[state]);
		listing_clear(&node->entries[state], state);
		free(node->entries[state].items);
	}
	free(node);
}

static struct node *node_of(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? root : (struct node *)(uintptr_t)ino;
}

static fuse_ino_t ino_of(const struct node *node)
{
	return node == root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)node;
}

static void fill_stat(const struct node *node, struct stat *st)
{
	const struct content *data = &node->data[VOLATILE];
	*st = (struct stat){
		.st_ino = ino_of(node),
		.st_mode = node->mode,
		.st_nlink = S_ISDIR(node->mode) ? 2 : node->links[VOLATILE],
		.st_uid = getuid(),
		.st_gid = getgid(),
		.st_size = S_ISDIR(node->mode) ? PAGE : data->size,
		.st_blksize = PAGE,
		.st_blocks = (blkcnt_t)data->count * (PAGE / 512),
		.st_atim = node->mtime,
		.st_mtim = node->mtime,
		.st_ctim = node->mtime,
	};
}

/* Zero timeouts: the kernel caches no name and no attribute, it asks every time. */
static struct fuse_entry_param entry_of(const struct node *node)
{
	struct fuse_entry_param entry = { .ino = ino_of(node) };
	fill_stat(node, &entry.attr);
	return entry;
}

static void reply_entry(fuse_req_t req, struct node *node)
{
	struct fuse_entry_param entry = entry_of(node);
	if (fuse_reply_entry(req, &entry) == 0)
		node->lookups++;
}

static void reply_attr(fuse_req_t req, const struct node *node)
{
	struct stat st;
	fill_stat(node, &st);
	fuse_reply_attr(req, &st, 0);
}

static bool valid_range(off_t offset, off_t length)
{
	return offset >= 0 && length >= 0 && offset <= max_file_size - length;
}

static void pc_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct entry *entry = listing_find(&node_of(parent)->entries[VOLATILE], name);
	if (entry)
		reply_entry(req, entry->node);
	else
		fuse_reply_err(req, ENOENT);
}

static void forget(fuse_ino_t ino, uint64_t lookups)
{
	struct node *node = node_of(ino);
	if (node == root)
		return;
	node->lookups -= lookups;
	node_forget_if_unused(node);
}

static void pc_forget(fuse_req_t req, fuse_ino_t ino, uint64_t lookups)
{
	forget(ino, lookups);
	fuse_reply_none(req);
}

static void pc_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void pc_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	reply_attr(req, node_of(ino));
}

static void pc_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	(void)fi;
	struct node *node = node_of(ino);
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (!S_ISREG(node->mode)) {
			fuse_reply_err(req, EISDIR);
			return;
		}
		if (!valid_range(attr->st_size, 0)) {
			fuse_reply_err(req, EFBIG);
			return;
		}
		content_resize(&node->data[VOLATILE], attr->st_size);
		touch(node);
	}
	if (to_set & FUSE_SET_ATTR_MODE)
		node->mode = (node->mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		touch(node);
	else if (to_set & FUSE_SET_ATTR_MTIME)
		node->mtime = attr->st_mtim;
	reply_attr(req, node);
}

/* A new node named `name` in `parent` (volatile, like every new name); NULL after replying an error. */
static struct node *add_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct node *directory = node_of(parent);
	if (listing_find(&directory->entries[VOLATILE], name)) {
		fuse_reply_err(req, EEXIST);
		return NULL;
	}
	struct node *node = node_new(mode);
	listing_add(&directory->entries[VOLATILE], name, node, VOLATILE);
	touch(directory);
	return node;
}

static void pc_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct node *node = add_node(req, parent, name, S_IFDIR | (mode & 07777));
	if (node)
		reply_entry(req, node);
}

static void pc_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
	struct node *node = add_node(req, parent, name, S_IFREG | (mode & 07777));
	if (!node)
		return;
	fi->direct_io = 1;
	struct fuse_entry_param entry = entry_of(node);
	if (fuse_reply_create(req, &entry, fi) == 0)
		node->lookups++;
}

/* direct_io: no page cache, so every read and write reaches this process, and a killed server leaves nothing behind in the kernel. */
static void pc_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void pc_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, struct fuse_file_info *fi)
{
	(void)fi;
	char *bytes = allocate(size);
	size_t length = content_read(&node_of(ino)->data[VOLATILE], bytes, size, offset);
	fuse_reply_buf(req, bytes, length);
	free(bytes);
}

static void pc_write(fuse_req_t req, fuse_ino_t ino, const char *bytes, size_t size, off_t offset, struct fuse_file_info *fi)
{
	(void)fi;
	if (!valid_range(offset, (off_t)size)) {
		fuse_reply_err(req, EFBIG);
		return;
	}
	struct node *node = node_of(ino);
	content_write(&node->data[VOLATILE], bytes, size, offset);
	touch(node);
	fuse_reply_write(req, size);
}

/* fsync and fdatasync alike: the file's bytes and size as they are now become durable. */
static void pc_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)datasync;
	(void)fi;
	struct node *node = node_of(ino);
	content_copy(&node->data[DURABLE], &node->data[VOLATILE]);
	fuse_reply_err(req, 0);
}

/* Space is never short here, so a reservation (FALLOC_FL_KEEP_SIZE) has nothing to do; mode 0 also extends the file. */
static void pc_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, struct fuse_file_info *fi)
{
	(void)fi;
	if (mode & ~FALLOC_FL_KEEP_SIZE) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	if (!valid_range(offset, length)) {
		fuse_reply_err(req, EFBIG);
		return;
	}
	struct content *data = &node_of(ino)->data[VOLATILE];
	if (!(mode & FALLOC_FL_KEEP_SIZE) && offset + length > data->size)
		content_resize(data, offset + length);
	fuse_reply_err(req, 0);
}

static void pc_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct listing *listing = &node_of(ino)->entries[VOLATILE];
	struct snapshot *snapshot = allocate(sizeof *snapshot + listing->count * sizeof snapshot->items[0]);
	snapshot->count = listing->count;
	for (size_t i = 0; i < listing->count; i++) {
		snapshot->items[i].name = duplicate(listing->items[i].name);
		snapshot->items[i].ino = ino_of(listing->items[i].node);
		snapshot->items[i].mode = listing->items[i].node->mode;
	}
	fi->fh = (uint64_t)(uintptr_t)snapshot;
	if (fuse_reply_open(req, fi) != 0) {
		for (size_t i = 0; i < snapshot->count; i++)
			free(snapshot->items[i].name);
		free(snapshot);
	}
}

static void pc_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, struct fuse_file_info *fi)
{
	(void)ino;
	const struct snapshot *snapshot = (const struct snapshot *)(uintptr_t)fi->fh;
	char *buffer = allocate(size);
	size_t used = 0;
	for (size_t i = offset < 0 ? 0 : (size_t)offset; i < snapshot->count; i++) {
		struct stat st = { .st_ino = snapshot->items[i].ino, .st_mode = snapshot->items[i].mode };
		size_t length = fuse_add_direntry(req, buffer + used, size - used, snapshot->items[i].name, &st, (off_t)i + 1);
		if (length > size - used)
			break;
		used += length;
	}
	fuse_reply_buf(req, buffer, used);
	free(buffer);
}

static void pc_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	struct snapshot *snapshot = (struct snapshot *)(uintptr_t)fi->fh;
	for (size_t i = 0; i < snapshot->count; i++)
		free(snapshot->items[i].name);
	free(snapshot);
	fuse_reply_err(req, 0);
}

static void pc_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)datasync;
	(void)fi;
	commit_entries(node_of(ino));
	fuse_reply_err(req, 0);
}

static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name, bool directory)
{
	struct node *dir = node_of(parent);
	struct entry *entry = listing_find(&dir->entries[VOLATILE], name);
	int error = !entry ? ENOENT
		: directory && !S_ISDIR(entry->node->mode) ? ENOTDIR
		: !directory && S_ISDIR(entry->node->mode) ? EISDIR
		: directory && entry->node->entries[VOLATILE].count ? ENOTEMPTY
		: 0;
	if (!error) {
		listing_remove(&dir->entries[VOLATILE], entry, VOLATILE);
		touch(dir);
	}
	fuse_reply_err(req, error);
}

static void pc_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, false);
}

static void pc_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, true);
}

/* The kernel has checked that a directory is not moved into itself. */
static void pc_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct node *from = node_of(parent), *to = node_of(newparent);
	struct entry *source = listing_find(&from->entries[VOLATILE], name);
	struct entry *target = listing_find(&to->entries[VOLATILE], newname);
	int error = flags & ~RENAME_NOREPLACE ? EINVAL
		: !source ? ENOENT
		: !target || target->node == source->node ? 0
		: flags & RENAME_NOREPLACE ? EEXIST
		: S_ISDIR(source->node->mode) && !S_ISDIR(target->node->mode) ? ENOTDIR
		: !S_ISDIR(source->node->mode) && S_ISDIR(target->node->mode) ? EISDIR
		: target->node->entries[VOLATILE].count ? ENOTEMPTY
		: 0;
	if (error || (target && target->node == source->node)) {
		fuse_reply_err(req, error);
		return;
	}
	struct node *node = source->node;
	node->links[VOLATILE]++; /* held while its old entry goes */
	listing_remove(&from->entries[VOLATILE], source, VOLATILE);
	target = listing_find(&to->entries[VOLATILE], newname);
	if (target) {
		struct node *replaced = target->node;
		target->node = node;
		replaced->links[VOLATILE]--;
		node_forget_if_unused(replaced);
	} else {
		listing_add(&to->entries[VOLATILE], newname, node, VOLATILE);
		node->links[VOLATILE]--;
	}
	touch(from);
	touch(to);
	fuse_reply_err(req, 0);
}

static void pc_statfs(fuse_req_t req, fuse_ino_t ino)
{
	(void)ino;
	struct statvfs st = {
		.f_bsize = PAGE,
		.f_frsize = PAGE,
		.f_blocks = capacity_pages,
		.f_bfree = capacity_pages - page_count,
		.f_bavail = capacity_pages - page_count,
		.f_files = 1 << 24,
		.f_ffree = (1 << 24) - node_count,
		.f_namemax = NAME_MAX,
	};
	fuse_reply_statfs(req, &st);
}

static const struct fuse_lowlevel_ops operations = {
	.lookup = pc_lookup,
	.forget = pc_forget,
	.forget_multi = pc_forget_multi,
	.getattr = pc_getattr,
	.setattr = pc_setattr,
	.mkdir = pc_mkdir,
	.create = pc_create,
	.open = pc_open,
	.read = pc_read,
	.write = pc_write,
	.fsync = pc_fsync,
	.fallocate = pc_fallocate,
	.opendir = pc_opendir,
	.readdir = pc_readdir,
	.releasedir = pc_releasedir,
	.fsyncdir = pc_fsyncdir,
	.unlink = pc_unlink,
	.rmdir = pc_rmdir,
	.rename = pc_rename,
	.statfs = pc_statfs,
};

/* Each unsynced page and the size of a file independently reached the disk, or did not. */
static void write_back_content(struct node *node, size_t *kept, size_t *lost)
{
	const struct content *now = &node->data[VOLATILE];
	struct content *disk = &node->data[DURABLE];
	if (now->size != disk->size) {
		bool reached = reached_disk();
		*(reached ? kept : lost) += 1;
		if (reached)
			disk->size = now->size;
	}
	size_t count = now->count > disk->count ? now->count : disk->count;
	content_reserve(disk, count);
	for (size_t i = 0; i < count; i++) {
		struct page *page = i < now->count ? now->pages[i] : NULL;
		if (page == disk->pages[i])
			continue;
		bool reached = reached_disk();
		*(reached ? kept : lost) += 1;
		if (reached) {
			page_unref(disk->pages[i]);
			disk->pages[i] = page_ref(page);
		}
	}
	disk->count = count;
	content_resize(disk, disk->size);
}

/* Each unsynced entry change of a directory (a name added, removed or pointed elsewhere) reached the disk, or did not. */
static void write_back_entries(struct node *directory, size_t *kept, size_t *lost)
{
	const struct listing *now = &directory->entries[VOLATILE], *disk = &directory->entries[DURABLE];
	struct listing next = { 0 };
	for (size_t i = 0; i < now->count; i++) {
		const struct entry *old = listing_find(disk, now->items[i].name);
		const struct entry *pick = &now->items[i];
		if (!old || old->node != pick->node) {
			bool reached = reached_disk();
			*(reached ? kept : lost) += 1;
			pick = reached ? pick : old;
		}
		if (pick)
			listing_add(&next, pick->name, pick->node, DURABLE);
	}
	for (size_t i = 0; i < disk->count; i++) {
		if (listing_find(now, disk->items[i].name))
			continue;
		bool reached = reached_disk();
		*(reached ? kept : lost) += 1;
		if (!reached)
			listing_add(&next, disk->items[i].name, disk->items[i].node, DURABLE);
	}
	listing_replace(directory, DURABLE, next);
}

/* Frees the nodes the cut left unused, and what only they named. */
static void sweep(void)
{
	size_t count = 0;
	for (struct node *node = all.next; node != &all; node = node->next)
		count += unused(node);
	struct node **unreachable = allocate(count * sizeof *unreachable);
	count = 0;
	for (struct node *node = all.next; node != &all; node = node->next)
		if (unused(node))
			unreachable[count++] = node;
	/* None of them is in a listing, so freeing one (and what only it named) never frees another. */
	for (size_t i = 0; i < count; i++)
		node_forget_if_unused(unreachable[i]);
	free(unreachable);
}

/* The power cut, in place: what reached the disk joins the durable state, which becomes what every call sees. */
static void cut_power(void)
{
	cutting = true;
	size_t files = 0, directories = 0, kept = 0, lost = 0;
	bool two_parents = false;
	for (struct node *node = all.next; node != &all; node = node->next) {
		if (!content_same(&node->data[VOLATILE], &node->data[DURABLE])) {
			files++;
			write_back_content(node, &kept, &lost);
			content_copy(&node->data[VOLATILE], &node->data[DURABLE]);
		}
		if (!listing_same(&node->entries[VOLATILE], &node->entries[DURABLE])) {
			directories++;
			write_back_entries(node, &kept, &lost);
			listing_replace(node, VOLATILE, listing_copy(&node->entries[DURABLE], VOLATILE));
		}
	}
	for (struct node *node = all.next; node != &all; node = node->next)
		two_parents |= S_ISDIR(node->mode) && node->links[VOLATILE] > 1;
	cutting = false;
	sweep();
	if (two_parents)
		printf("error: a directory is durable in two places (renamed with only its new parent synced)\n");
	else
		printf("%zu files and %zu directories had unsynced changes: %zu reached the disk, %zu were lost; %zu nodes, %zu MiB left\n",
		       files, directories, kept, lost, node_count, page_count * PAGE >> 20);
	fflush(stdout);
}

/* One command line from stdin; false at the end of input. A command comes in one write, well under PIPE_BUF. */
static bool command(void)
{
	char line[128], mode[16];
	unsigned long long seed;
	ssize_t length = read(STDIN_FILENO, line, sizeof line - 1);
	if (length <= 0)
		return false;
	line[length] = 0;
	int fields = sscanf(line, "cut %15s %llu", mode, &seed);
	if (fields == 1 && strcmp(mode, "dropped") == 0) {
		cut_mode = DROPPED;
	} else if (fields == 1 && strcmp(mode, "kept") == 0) {
		cut_mode = KEPT;
	} else if (fields == 2 && strcmp(mode, "torn") == 0) {
		cut_mode = TORN;
		random_state = seed;
	} else {
		printf("error: unknown command %s", line);
		fflush(stdout);
		return true;
	}
	cut_power();
	return true;
}

/* The session loop, watching stdin too: commands run between requests, on the one thread that touches the tree. */
static void serve(struct fuse_session *session)
{
	struct fuse_buf buffer = { 0 };
	struct pollfd sources[] = {
		{ .fd = fuse_session_fd(session), .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	while (!fuse_session_exited(session)) {
		if (poll(sources, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (sources[1].revents && !command())
			break;
		if (sources[0].revents) {
			int received = fuse_session_receive_buf(session, &buffer);
			if (received == -EINTR)
				continue;
			if (received <= 0)
				break;
			fuse_session_process_buf(session, &buffer);
		}
	}
	free(buffer.mem);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
		return 2;
	}

	root = node_new(S_IFDIR | 0755);
	char *fuse_argv[] = { argv[0], "-o", "fsname=powercut-fs,subtype=powercut", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
	struct fuse_session *session = fuse_session_new(&args, &operations, sizeof operations, NULL);
	fuse_opt_free_args(&args);
	if (!session || fuse_set_signal_handlers(session) != 0 || fuse_session_mount(session, argv[1]) != 0) {
		fprintf(stderr, "powercut-fs: cannot mount on %s\n", argv[1]);
		return 2;
	}
	printf("mounted %s\n", argv[1]);
	fflush(stdout);

	serve(session);
	fuse_session_unmount(session);
	fuse_remove_signal_handlers(session);
	fuse_session_destroy(session);
	return 0;
}
