#include "sparse_split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC 0xed26ff3au
#define T_RAW 0xcac1
#define T_FILL 0xcac2
#define T_SKIP 0xcac3
#define T_CRC 0xcac4
#define READ_BUF (1u << 20)
#define CHUNK_BLOCKS_MAX 0xffffffffull

struct run {
	uint16_t type;       /* T_RAW, T_FILL, T_SKIP */
	uint32_t fill;       /* T_FILL: the word, as stored (little-endian bytes) */
	uint64_t blocks;
	uint64_t at;         /* T_RAW: where its data starts in the image file */
};

struct chunk {
	uint16_t type;
	uint32_t fill;
	uint32_t blocks;
	uint64_t at;         /* T_RAW: file offset */
	uint64_t off;        /* where its header starts in the piece */
	uint64_t len;        /* header and data */
};

struct piece {
	size_t first, n;     /* its chunks */
	uint64_t size;
};

struct ub_resparse {
	const struct ub_src *src;
	uint32_t blk_sz;
	uint64_t total_blks;
	int raw;             /* the image is raw: data past its end reads as zeros */
	struct run *runs;
	size_t nruns, caprun;
	struct chunk *chunks;
	size_t nchunks, capchunk;
	struct piece *pieces;
	size_t npieces, cappiece;
	size_t cursor;       /* chunk index of the last read */
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int ub_sparse_is(const struct ub_src *src)
{
	uint8_t m[4];

	return src->size >= UB_SPARSE_HEADER && ub_src_read(src, 0, m, 4, NULL) == 0 && le32(m) == MAGIC;
}

struct hdr {
	uint16_t hdr_sz, chunk_hdr_sz;
	uint32_t blk_sz, total_blks, total_chunks;
};

static int header(const struct ub_src *src, struct hdr *h, struct ub_err *e)
{
	uint8_t b[UB_SPARSE_HEADER];
	int rc;

	if ((rc = ub_src_read(src, 0, b, sizeof b, e)))
		return rc;
	h->hdr_sz = le16(b + 8);
	h->chunk_hdr_sz = le16(b + 10);
	h->blk_sz = le32(b + 12);
	h->total_blks = le32(b + 16);
	h->total_chunks = le32(b + 20);
	if (le32(b) != MAGIC || le16(b + 4) != 1 || h->hdr_sz < UB_SPARSE_HEADER || h->hdr_sz > 4096 ||
	    h->chunk_hdr_sz < UB_SPARSE_CHUNK_HEADER || h->chunk_hdr_sz > 4096 || h->blk_sz == 0 ||
	    h->blk_sz % 4 || h->blk_sz > (64u << 20))
		return ub_err_set(e, UB_EFORMAT, "image-corrupt", "%s: not a sound Android sparse header", src->label);
	return 0;
}

int ub_sparse_expanded(const struct ub_src *src, uint64_t *size, struct ub_err *e)
{
	struct hdr h;
	int rc;

	if ((rc = header(src, &h, e)))
		return rc;
	*size = (uint64_t)h.total_blks * h.blk_sz;
	return 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t each)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if (!(p = realloc(*v, c * each)))
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* Appends blocks of a kind, merged with the run before when it continues
 * it. */
static int add_run(struct ub_resparse *r, uint16_t type, uint32_t fill, uint64_t blocks, uint64_t at)
{
	struct run *last = r->nruns ? &r->runs[r->nruns - 1] : NULL;

	if (!blocks)
		return 0;
	if (last && last->type == type &&
	    (type == T_SKIP || (type == T_FILL && last->fill == fill) ||
	     (type == T_RAW && last->at + last->blocks * r->blk_sz == at))) {
		last->blocks += blocks;
		return 0;
	}
	if (grow((void **)&r->runs, &r->caprun, r->nruns, sizeof *r->runs))
		return UB_ENOMEM;
	r->runs[r->nruns++] = (struct run){ type, fill, blocks, at };
	return 0;
}

/* A raw image, block by block: a whole block of one repeated word is a
 * fill, anything else data; the last partial block is data. */
static int runs_of_raw(struct ub_resparse *r, struct ub_err *e)
{
	const struct ub_src *src = r->src;
	uint64_t off = 0;
	uint8_t *buf;
	int rc = 0;

	r->total_blks = (src->size + r->blk_sz - 1) / r->blk_sz;
	if (!(buf = malloc(READ_BUF)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	while (!rc && off < src->size) {
		size_t n = src->size - off < READ_BUF ? (size_t)(src->size - off) : READ_BUF, i;

		if ((rc = ub_src_read(src, off, buf, n, e)))
			break;
		for (i = 0; !rc && i < n; i += r->blk_sz) {
			const uint8_t *b = buf + i;

			if (n - i >= r->blk_sz && memcmp(b, b + 4, r->blk_sz - 4) == 0)
				rc = add_run(r, T_FILL, le32(b), 1, 0);
			else
				rc = add_run(r, T_RAW, 0, 1, off + i);
			if (rc)
				rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		}
		off += n;
	}
	free(buf);
	return rc;
}

static int runs_of_sparse(struct ub_resparse *r, struct ub_err *e)
{
	const struct ub_src *src = r->src;
	uint64_t pos, blocks = 0;
	struct hdr h;
	uint32_t i;
	int rc;

	if ((rc = header(src, &h, e)))
		return rc;
	r->blk_sz = h.blk_sz;
	r->total_blks = h.total_blks;
	pos = h.hdr_sz;
	for (i = 0; i < h.total_chunks; i++) {
		uint8_t c[UB_SPARSE_CHUNK_HEADER], f[4];
		uint16_t type;
		uint32_t n, total;
		uint64_t data, bytes;

		if (pos + h.chunk_hdr_sz > src->size)
			return ub_err_set(e, UB_EFORMAT, "image-truncated", "%s: sparse chunk %u of %u is missing",
					  src->label, i + 1, h.total_chunks);
		if ((rc = ub_src_read(src, pos, c, sizeof c, e)))
			return rc;
		type = le16(c);
		n = le32(c + 4);
		total = le32(c + 8);
		bytes = (uint64_t)n * h.blk_sz;
		data = total >= h.chunk_hdr_sz ? total - h.chunk_hdr_sz : UINT64_MAX;
		pos += h.chunk_hdr_sz;
		if ((type == T_RAW && data != bytes) || (type == T_FILL && data != 4) ||
		    (type == T_SKIP && data != 0) || (type == T_CRC && data != 4) ||
		    (type != T_RAW && type != T_FILL && type != T_SKIP && type != T_CRC))
			return ub_err_set(e, UB_EFORMAT, "image-corrupt",
					  "%s: sparse chunk %u (type %04x, %u blocks, %u bytes) is not sound",
					  src->label, i + 1, type, n, total);
		if (data > src->size - pos || blocks + n > h.total_blks)
			return ub_err_set(e, UB_EFORMAT, "image-corrupt",
					  "%s: sparse chunk %u runs past the end of the file or of its %u blocks",
					  src->label, i + 1, h.total_blks);
		if (type == T_FILL && (rc = ub_src_read(src, pos, f, 4, e)))
			return rc;
		if (type != T_CRC &&
		    add_run(r, type, type == T_FILL ? le32(f) : 0, n, type == T_RAW ? pos : 0))
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		if (type != T_CRC)
			blocks += n;
		pos += data;
	}
	if (blocks != h.total_blks)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt", "%s: the sparse chunks cover %llu of %u blocks",
				  src->label, (unsigned long long)blocks, h.total_blks);
	return 0;
}

static int add_chunk(struct ub_resparse *r, uint16_t type, uint32_t fill, uint64_t blocks, uint64_t at)
{
	struct chunk *c;

	while (blocks > 0) {
		uint32_t n = blocks > CHUNK_BLOCKS_MAX ? (uint32_t)CHUNK_BLOCKS_MAX : (uint32_t)blocks;

		if (grow((void **)&r->chunks, &r->capchunk, r->nchunks, sizeof *r->chunks))
			return UB_ENOMEM;
		c = &r->chunks[r->nchunks++];
		c->type = type;
		c->fill = fill;
		c->blocks = n;
		c->at = at;
		c->len = UB_SPARSE_CHUNK_HEADER + (type == T_RAW ? (uint64_t)n * r->blk_sz : type == T_FILL ? 4 : 0);
		blocks -= n;
		at += (uint64_t)n * r->blk_sz;
	}
	return 0;
}

/* A piece being filled. */
struct cut {
	uint64_t start;      /* its first block */
	uint64_t covered;    /* blocks from start its chunks cover */
	uint64_t pending;    /* skipped blocks not yet given a chunk */
	uint64_t size;       /* bytes so far, headers included */
	size_t first;        /* its first chunk */
	int data;            /* it holds a raw or fill chunk */
};

static int close_piece(struct ub_resparse *r, struct cut *c)
{
	uint64_t end = c->start + c->covered, off = UB_SPARSE_HEADER;
	size_t i, lead = r->nchunks;
	struct piece *p;

	/* leading and trailing "don't care", so the piece spans the whole image */
	if (c->start && add_chunk(r, T_SKIP, 0, c->start, 0))
		return UB_ENOMEM;
	if (end < r->total_blks && add_chunk(r, T_SKIP, 0, r->total_blks - end, 0))
		return UB_ENOMEM;
	if (grow((void **)&r->pieces, &r->cappiece, r->npieces, sizeof *r->pieces))
		return UB_ENOMEM;
	/* order: the leading skip first, then the piece's chunks, then the
	 * trailing one (added above after them) */
	if (c->start) {
		struct chunk skip = r->chunks[lead];

		memmove(&r->chunks[c->first + 1], &r->chunks[c->first], (lead - c->first) * sizeof skip);
		r->chunks[c->first] = skip;
	}
	p = &r->pieces[r->npieces++];
	p->first = c->first;
	p->n = r->nchunks - c->first;
	for (i = p->first; i < p->first + p->n; i++) {
		r->chunks[i].off = off;
		off += r->chunks[i].len;
	}
	p->size = off;
	return 0;
}

static int cut_pieces(struct ub_resparse *r, uint64_t max, struct ub_err *e)
{
	/* room kept for the two "don't care" chunks around a piece */
	const uint64_t frame = UB_SPARSE_HEADER + 2 * UB_SPARSE_CHUNK_HEADER;
	struct cut c = { 0, 0, 0, frame, 0, 0 };
	size_t i;

	if (max < frame + UB_SPARSE_CHUNK_HEADER + r->blk_sz)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "pieces of %llu bytes cannot hold one %u-byte block with its sparse headers",
				  (unsigned long long)max, r->blk_sz);
	for (i = 0; i < r->nruns; i++) {
		struct run run = r->runs[i];

		while (run.blocks > 0) {
			uint64_t room, take;

			if (run.type == T_SKIP) {
				if (c.data)
					c.pending += run.blocks;
				else
					c.start += run.blocks;
				break;
			}
			room = max - c.size;
			if (c.pending)
				room = room > UB_SPARSE_CHUNK_HEADER ? room - UB_SPARSE_CHUNK_HEADER : 0;
			if (run.type == T_FILL)
				take = room >= UB_SPARSE_CHUNK_HEADER + 4 ? run.blocks : 0;
			else
				take = room > UB_SPARSE_CHUNK_HEADER ? (room - UB_SPARSE_CHUNK_HEADER) / r->blk_sz : 0;
			if (take > run.blocks)
				take = run.blocks;
			if (take == 0) {
				/* full: close it, the next starts where this one ends */
				if (close_piece(r, &c))
					return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
				c = (struct cut){ c.start + c.covered + c.pending, 0, 0, frame, r->nchunks, 0 };
				continue;
			}
			if (c.pending) {
				if (add_chunk(r, T_SKIP, 0, c.pending, 0))
					return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
				c.size += UB_SPARSE_CHUNK_HEADER;
				c.covered += c.pending;
				c.pending = 0;
			}
			if (add_chunk(r, run.type, run.fill, take, run.at))
				return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			c.size += UB_SPARSE_CHUNK_HEADER + (run.type == T_RAW ? take * r->blk_sz : 4);
			c.covered += take;
			c.data = 1;
			run.blocks -= take;
			run.at += take * r->blk_sz;
		}
	}
	/* the last piece; an image of nothing but "don't care" is one piece
	 * that writes nothing */
	if ((c.data || r->npieces == 0) && close_piece(r, &c))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	return 0;
}

int ub_resparse_plan(struct ub_resparse **out, const struct ub_src *src, uint32_t blk_sz,
		     uint64_t max, struct ub_err *e)
{
	struct ub_resparse *r;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof *r)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	r->src = src;
	r->raw = !ub_sparse_is(src);
	if (r->raw && (blk_sz < 512 || blk_sz % 4 || blk_sz > (64u << 20))) {
		free(r);
		return ub_err_set(e, UB_EUSAGE, "usage", "a sparse block size of %u bytes is not allowed", blk_sz);
	}
	r->blk_sz = blk_sz;
	if ((rc = r->raw ? runs_of_raw(r, e) : runs_of_sparse(r, e)) || (rc = cut_pieces(r, max, e))) {
		ub_resparse_free(r);
		return rc;
	}
	/* the runs are in the chunks now */
	free(r->runs);
	r->runs = NULL;
	*out = r;
	return 0;
}

unsigned ub_resparse_count(const struct ub_resparse *r)
{
	return (unsigned)r->npieces;
}

uint64_t ub_resparse_size(const struct ub_resparse *r, unsigned piece)
{
	return piece < r->npieces ? r->pieces[piece].size : 0;
}

uint64_t ub_resparse_expanded(const struct ub_resparse *r)
{
	return r->total_blks * r->blk_sz;
}

static void chunk_header(const struct ub_resparse *r, const struct chunk *c, uint8_t h[12])
{
	(void)r;
	put16(h, c->type);
	put16(h + 2, 0);
	put32(h + 4, c->blocks);
	put32(h + 8, (uint32_t)c->len);
}

/* Raw data at file offset at; a raw image's last block is padded with
 * zeros past the file's end. */
static int data_at(struct ub_resparse *r, uint64_t at, uint8_t *buf, size_t n, struct ub_err *e)
{
	size_t have = at >= r->src->size ? 0 : r->src->size - at < n ? (size_t)(r->src->size - at) : n;
	int rc;

	if (have && (rc = ub_src_read(r->src, at, buf, have, e)))
		return rc;
	memset(buf + have, 0, n - have);
	return 0;
}

int ub_resparse_read(struct ub_resparse *r, unsigned piece, uint64_t off, uint8_t *buf, size_t n,
		     struct ub_err *e)
{
	const struct piece *p;
	int rc;

	if (piece >= r->npieces || off > r->pieces[piece].size || n > r->pieces[piece].size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "a read outside sparse piece %u", piece);
	p = &r->pieces[piece];
	if (r->cursor < p->first || r->cursor >= p->first + p->n || r->chunks[r->cursor].off > off)
		r->cursor = p->first;
	while (n > 0) {
		const struct chunk *c;
		uint64_t rel;
		size_t m;

		if (off < UB_SPARSE_HEADER) {
			uint8_t h[UB_SPARSE_HEADER];

			put32(h, MAGIC);
			put16(h + 4, 1);
			put16(h + 6, 0);
			put16(h + 8, UB_SPARSE_HEADER);
			put16(h + 10, UB_SPARSE_CHUNK_HEADER);
			put32(h + 12, r->blk_sz);
			put32(h + 16, (uint32_t)r->total_blks);
			put32(h + 20, (uint32_t)p->n);
			put32(h + 24, 0);
			m = UB_SPARSE_HEADER - off < n ? (size_t)(UB_SPARSE_HEADER - off) : n;
			memcpy(buf, h + off, m);
			goto next;
		}
		while (off >= r->chunks[r->cursor].off + r->chunks[r->cursor].len)
			r->cursor++;
		c = &r->chunks[r->cursor];
		rel = off - c->off;
		if (rel < UB_SPARSE_CHUNK_HEADER) {
			uint8_t h[UB_SPARSE_CHUNK_HEADER];

			chunk_header(r, c, h);
			m = UB_SPARSE_CHUNK_HEADER - rel < n ? (size_t)(UB_SPARSE_CHUNK_HEADER - rel) : n;
			memcpy(buf, h + rel, m);
			goto next;
		}
		rel -= UB_SPARSE_CHUNK_HEADER;
		m = c->len - UB_SPARSE_CHUNK_HEADER - rel < n ? (size_t)(c->len - UB_SPARSE_CHUNK_HEADER - rel) : n;
		if (c->type == T_FILL) {
			uint8_t f[4];

			put32(f, c->fill);
			memcpy(buf, f + rel, m);
		} else if (r->raw) {
			if ((rc = data_at(r, c->at + rel, buf, m, e)))
				return rc;
		} else if ((rc = ub_src_read(r->src, c->at + rel, buf, m, e))) {
			return rc;
		}
next:
		buf += m;
		off += m;
		n -= m;
	}
	return 0;
}

void ub_resparse_free(struct ub_resparse *r)
{
	if (!r)
		return;
	free(r->runs);
	free(r->chunks);
	free(r->pieces);
	free(r);
}
