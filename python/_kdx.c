/* SPDX-License-Identifier: MIT */
/*
 * kdx._kdx: the CPython extension under `import kdx`.
 *
 * Why C and not ctypes or CFFI, measured by bench/python-read.sh on the
 * real QEMU dumps (CPU seconds for 256 MiB in 1 MiB chunks, whole
 * process; us per 64-byte read, the size drgn asks for):
 *
 *                      ELF 1 MiB   kdump-zlib 1 MiB   64 B ELF / kdump
 *   this module read()   0.074 s     0.214 s          1.14 / 0.70 us
 *   ctypes + .raw        0.234 s     0.276 s          2.11 / 1.48 us
 *
 * A ctypes read() that returns bytes pays a zeroed buffer and a copy per
 * call (3.2x the CPU on the ELF) and twice the per-call cost on small
 * reads; here the bytes object is read into directly (and readinto()
 * fills the caller's buffer).  A ctypes binding would also mirror every
 * public struct (kdx_convert_options, kdx_xlat_trace, kdx_log_record) by
 * hand in Python, unchecked against the headers, where this file is
 * compiled against them.  CFFI was not measured: its API mode
 * compiles C at build time as this module does, for a third-party
 * dependency.
 *
 * Threading: the GIL is released around every libkdx call that does I/O,
 * decompresses or walks page tables.  A Dump's kernel translation caches
 * (struct kdx_xlat) are not thread-safe, so virtual reads, vtop and maps
 * take the Dump's xlat lock; physical reads need no lock.  close() waits
 * for no one: it refuses while a call on the Dump is running.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <structmember.h>

#include <kdx/convert.h>
#include <kdx/dump.h>
#include <kdx/kernel.h>
#include <kdx/log.h>
#include <kdx/xlat.h>

#include "cli/info_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- module state: the exception classes and record types ---- */

static PyObject *kdx_error_base;
static PyObject *kdx_error_by_code[KDX_ERR_INVALID + 1];
static PyTypeObject *mapping_type, *record_type, *step_type,
	*translation_type;

/* Set attribute @name of @obj to @value, taking over the reference. */
static void set_attr(PyObject *obj, const char *name, PyObject *value)
{
	if (value && PyObject_SetAttrString(obj, name, value) == 0) {
		Py_DECREF(value);
		return;
	}
	Py_XDECREF(value);
	PyErr_Clear();
}

/* Set the Python exception for @err (which stays the caller's): the class
 * for its code, with code, address, file_offset and errno.  Returns NULL. */
static PyObject *set_kdx_error(const struct kdx_error *err)
{
	enum kdx_error_code code = kdx_error_code(err);
	PyObject *cls = code >= 1 && code <= KDX_ERR_INVALID ?
				kdx_error_by_code[code] :
				kdx_error_base;
	PyObject *exc = PyObject_CallFunction(cls, "s", kdx_error_message(err));
	uint64_t v;

	if (!exc)
		return NULL;
	set_attr(exc, "code", PyUnicode_FromString(kdx_error_code_name(code)));
	if (kdx_error_address(err, &v))
		set_attr(exc, "address", PyLong_FromUnsignedLongLong(v));
	if (kdx_error_file_offset(err, &v))
		set_attr(exc, "file_offset", PyLong_FromUnsignedLongLong(v));
	set_attr(exc, "errno", PyLong_FromLong(kdx_error_errno(err)));
	PyErr_SetObject(cls, exc);
	Py_DECREF(exc);
	return NULL;
}

/* set_kdx_error(), then destroy @err. */
static PyObject *raise_kdx(struct kdx_error *err)
{
	set_kdx_error(err);
	kdx_error_destroy(err);
	return NULL;
}

/* PyArg "O&" converter for an address: an int in [0, 2**64); a negative
 * or larger one raises OverflowError ("K" would wrap it silently). */
static int parse_addr(PyObject *obj, void *out)
{
	unsigned long long v;

	if (!PyLong_Check(obj)) {
		PyErr_Format(PyExc_TypeError, "address must be int, not %.100s",
			     Py_TYPE(obj)->tp_name);
		return 0;
	}
	v = PyLong_AsUnsignedLongLong(obj);
	if (v == (unsigned long long)-1 && PyErr_Occurred())
		return 0;
	*(uint64_t *)out = v;
	return 1;
}

/* ---- Dump ---- */

typedef struct {
	PyObject_HEAD
	struct kdx_dump *dump;
	PyObject *path;            /* str: the first file's name */
	PyThread_type_lock xlat_lock;
	struct kdx_xlat *xlat;     /* the kernel's, made on first use */
	struct kdx_error *xlat_err; /* why it could not be made */
	bool xlat_tried;
	int busy;                  /* calls running with the GIL released */
} DumpObject;

static PyTypeObject DumpType;

static int dump_check_open(DumpObject *self)
{
	if (self->dump)
		return 0;
	PyErr_SetString(PyExc_ValueError, "I/O operation on a closed kdx dump");
	return -1;
}

static void dump_release(DumpObject *self)
{
	kdx_xlat_destroy(self->xlat);
	self->xlat = NULL;
	kdx_error_destroy(self->xlat_err);
	self->xlat_err = NULL;
	kdx_dump_destroy(self->dump);
	self->dump = NULL;
}

static void dump_dealloc(DumpObject *self)
{
	dump_release(self);
	if (self->xlat_lock)
		PyThread_free_lock(self->xlat_lock);
	Py_XDECREF(self->path);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Take the xlat lock with the GIL released, making the kernel's
 * translation on first use.  On failure the lock is not held and an
 * exception is set. */
static int xlat_acquire(DumpObject *self)
{
	Py_BEGIN_ALLOW_THREADS
	PyThread_acquire_lock(self->xlat_lock, WAIT_LOCK);
	if (!self->xlat_tried) {
		struct kdx_kernel_layout layout;

		self->xlat_tried = true;
		self->xlat_err = kdx_kernel_probe(self->dump, NULL, &layout);
		if (!self->xlat_err)
			self->xlat_err = kdx_kernel_xlat_create(self->dump,
							       &layout,
							       &self->xlat);
	}
	Py_END_ALLOW_THREADS
	if (!self->xlat) {
		PyThread_release_lock(self->xlat_lock);
		set_kdx_error(self->xlat_err);
		return -1;
	}
	return 0;
}

static PyObject *dump_close(DumpObject *self, PyObject *Py_UNUSED(ignored))
{
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError,
				"kdx dump closed while a call on it is running");
		return NULL;
	}
	dump_release(self);
	Py_RETURN_NONE;
}

static PyObject *dump_enter(DumpObject *self, PyObject *Py_UNUSED(ignored))
{
	if (dump_check_open(self))
		return NULL;
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *dump_exit(DumpObject *self, PyObject *args)
{
	(void)args;
	return dump_close(self, NULL);
}

/* info(): kdx info --json's object, built by the CLI's own builder into
 * memory and parsed with the json module. */
static PyObject *dump_info(DumpObject *self, PyObject *Py_UNUSED(ignored))
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	PyObject *json, *result = NULL, *path;

	if (dump_check_open(self))
		return NULL;
	path = PyUnicode_EncodeFSDefault(self->path);
	if (!path)
		return NULL;
	out = open_memstream(&text, &len);
	if (!out) {
		Py_DECREF(path);
		return PyErr_NoMemory();
	}
	self->busy++;
	Py_BEGIN_ALLOW_THREADS
	struct json j;

	json_init(&j, out);
	cli_info_json(&j, PyBytes_AS_STRING(path), self->dump);
	json_finish(&j);
	fclose(out);
	Py_END_ALLOW_THREADS
	self->busy--;
	Py_DECREF(path);
	json = PyImport_ImportModule("json");
	if (json) {
		result = PyObject_CallMethod(json, "loads", "s#", text,
					     (Py_ssize_t)len);
		Py_DECREF(json);
	}
	free(text);
	return result;
}

/* Read @len bytes at @addr into @buf, physical or through the kernel's
 * translation; GIL released.  Returns 0 or -1 with an exception. */
static int dump_read_into(DumpObject *self, uint64_t addr, void *buf,
			  size_t len, bool phys, bool zero_fill)
{
	unsigned int flags = zero_fill ? KDX_READ_ZERO_FILL : 0;
	struct kdx_error *err;

	/* busy from before the lock is waited for: close() must not free the
	 * dump while this thread waits with the GIL released. */
	self->busy++;
	if (!phys && xlat_acquire(self)) {
		self->busy--;
		return -1;
	}
	Py_BEGIN_ALLOW_THREADS
	if (phys)
		err = kdx_read_phys(self->dump, addr, buf, len, flags, NULL);
	else
		err = kdx_read_virt(self->dump, self->xlat, addr, buf, len,
				    flags, NULL);
	if (!phys)
		PyThread_release_lock(self->xlat_lock);
	Py_END_ALLOW_THREADS
	self->busy--;
	if (err) {
		raise_kdx(err);
		return -1;
	}
	return 0;
}

static PyObject *dump_read(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "addr", "size", "phys", "zero_fill", NULL };
	uint64_t addr;
	Py_ssize_t size;
	int phys = 0, zero_fill = 0;
	PyObject *bytes;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&n|pp:read", kwlist,
					 parse_addr, &addr,
					 &size, &phys, &zero_fill))
		return NULL;
	if (dump_check_open(self))
		return NULL;
	if (size < 0) {
		PyErr_SetString(PyExc_ValueError, "read size is negative");
		return NULL;
	}
	bytes = PyBytes_FromStringAndSize(NULL, size);
	if (!bytes)
		return NULL;
	if (size && dump_read_into(self, addr, PyBytes_AS_STRING(bytes),
				   (size_t)size, phys, zero_fill)) {
		Py_DECREF(bytes);
		return NULL;
	}
	return bytes;
}

static PyObject *dump_readinto(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "addr", "buffer", "phys", "zero_fill", NULL };
	uint64_t addr;
	Py_buffer view;
	int phys = 0, zero_fill = 0, rc = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&w*|pp:readinto", kwlist,
					 parse_addr, &addr, &view, &phys, &zero_fill))
		return NULL;
	if (dump_check_open(self)) {
		PyBuffer_Release(&view);
		return NULL;
	}
	if (view.len)
		rc = dump_read_into(self, addr, view.buf, (size_t)view.len,
				    phys, zero_fill);
	PyBuffer_Release(&view);
	if (rc)
		return NULL;
	return PyLong_FromSsize_t(view.len);
}

static PyObject *step_new(const struct kdx_xlat_step *s)
{
	PyObject *o = PyStructSequence_New(step_type);

	if (!o)
		return NULL;
	PyStructSequence_SET_ITEM(o, 0, PyUnicode_FromString(s->level));
	PyStructSequence_SET_ITEM(o, 1, PyLong_FromUnsignedLongLong(s->table));
	PyStructSequence_SET_ITEM(o, 2, PyLong_FromUnsignedLong(s->index));
	PyStructSequence_SET_ITEM(o, 3,
				  PyLong_FromUnsignedLongLong(s->entry_addr));
	PyStructSequence_SET_ITEM(o, 4, PyLong_FromUnsignedLongLong(s->entry));
	PyStructSequence_SET_ITEM(o, 5, PyLong_FromUnsignedLong(s->size));
	if (PyErr_Occurred()) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *translation_new(const struct kdx_xlat_result *r,
				 const struct kdx_xlat_trace *t)
{
	PyObject *o, *levels = PyTuple_New(t->count);

	if (!levels)
		return NULL;
	for (unsigned int i = 0; i < t->count; i++) {
		PyObject *s = step_new(&t->steps[i]);

		if (!s) {
			Py_DECREF(levels);
			return NULL;
		}
		PyTuple_SET_ITEM(levels, i, s);
	}
	o = PyStructSequence_New(translation_type);
	if (!o) {
		Py_DECREF(levels);
		return NULL;
	}
	PyStructSequence_SET_ITEM(o, 0, PyLong_FromUnsignedLongLong(r->vaddr));
	PyStructSequence_SET_ITEM(o, 1, PyLong_FromUnsignedLongLong(r->paddr));
	PyStructSequence_SET_ITEM(o, 2,
				  PyLong_FromUnsignedLongLong(r->page_size));
	PyStructSequence_SET_ITEM(o, 3, PyLong_FromUnsignedLong(r->flags));
	PyStructSequence_SET_ITEM(o, 4, levels);
	if (PyErr_Occurred()) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *dump_vtop(DumpObject *self, PyObject *arg)
{
	unsigned long long va = PyLong_AsUnsignedLongLong(arg);
	struct kdx_xlat_result res;
	struct kdx_xlat_trace trace;
	struct kdx_error *err;

	if (va == (unsigned long long)-1 && PyErr_Occurred())
		return NULL;
	if (dump_check_open(self))
		return NULL;
	self->busy++;
	if (xlat_acquire(self)) {
		self->busy--;
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	err = kdx_xlat_trace(self->xlat, va, &res, &trace);
	PyThread_release_lock(self->xlat_lock);
	Py_END_ALLOW_THREADS
	self->busy--;
	if (err)
		return raise_kdx(err);
	return translation_new(&res, &trace);
}

static PyObject *dump_notes(DumpObject *self, PyObject *Py_UNUSED(ignored))
{
	size_t n;
	const struct kdx_note *notes;
	PyObject *list;

	if (dump_check_open(self))
		return NULL;
	notes = kdx_dump_notes(self->dump, &n);
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *t = Py_BuildValue(
			"(sIy#sK)", notes[i].name, notes[i].type,
			(const char *)notes[i].desc,
			(Py_ssize_t)notes[i].desc_size, notes[i].kind,
			(unsigned long long)notes[i].file_offset);

		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

static PyObject *dump_phys_ranges(DumpObject *self,
				  PyObject *Py_UNUSED(ignored))
{
	static const char *const kinds[] = { "file", "zero", "excluded" };
	size_t n;
	const struct kdx_phys_range *r;
	PyObject *list;

	if (dump_check_open(self))
		return NULL;
	r = kdx_dump_phys_ranges(self->dump, &n);
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *t = Py_BuildValue(
			"(KKs)", (unsigned long long)r[i].start,
			(unsigned long long)r[i].size,
			r[i].kind <= KDX_RANGE_EXCLUDED ? kinds[r[i].kind] :
							  "unknown");

		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

/* The load segments, read on the first call (a million PT_LOADs are
 * 40 MB): callers that need their number ask segment_count. */
static PyObject *dump_segments(DumpObject *self, PyObject *Py_UNUSED(ignored))
{
	size_t n = 0;
	const struct kdx_segment *s;
	PyObject *list;

	if (dump_check_open(self))
		return NULL;
	s = kdx_dump_segments(self->dump, &n);
	if (!s && kdx_dump_segment_count(self->dump))
		return PyErr_Format(PyExc_OSError,
				    "the dump's %zu load segments could not be read again",
				    kdx_dump_segment_count(self->dump));
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *t = Py_BuildValue(
			"(KKKKK)", (unsigned long long)s[i].paddr,
			(unsigned long long)s[i].vaddr,
			(unsigned long long)s[i].file_offset,
			(unsigned long long)s[i].file_size,
			(unsigned long long)s[i].mem_size);

		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

static PyObject *dump_vmcoreinfo(DumpObject *self,
				 PyObject *Py_UNUSED(ignored))
{
	size_t n;
	const struct kdx_vmcoreinfo_entry *e;
	PyObject *dict;

	if (dump_check_open(self))
		return NULL;
	e = kdx_dump_vmcoreinfo(self->dump, &n);
	if (!e)
		Py_RETURN_NONE;
	dict = PyDict_New();
	for (size_t i = 0; dict && i < n; i++) {
		PyObject *v = PyUnicode_DecodeUTF8(e[i].value,
						   strlen(e[i].value),
						   "surrogateescape");

		if (!v || PyDict_SetItemString(dict, e[i].key, v)) {
			Py_XDECREF(v);
			Py_CLEAR(dict);
			break;
		}
		Py_DECREF(v);
	}
	return dict;
}

/* The kernel image's symbol @name (kdx.open(kernel=...)), or None. */
static PyObject *dump_symbol(DumpObject *self, PyObject *arg)
{
	const char *name = PyUnicode_AsUTF8(arg);
	uint64_t value;
	struct kdx_error *err;

	if (!name || dump_check_open(self))
		return NULL;
	err = kdx_dump_kernel_symbol(self->dump, name, &value);
	if (err && kdx_error_code(err) == KDX_ERR_NOTFOUND) {
		kdx_error_destroy(err);
		Py_RETURN_NONE;
	}
	if (err)
		return raise_kdx(err);
	return PyLong_FromUnsignedLongLong(value);
}

/* ---- convert ---- */

struct progress_ctx {
	PyObject *fn;
	PyThreadState *ts;
	bool failed; /* the callback raised: the exception is saved */
	PyObject *exc_type, *exc_value, *exc_tb;
};

/* Called by kdx_convert() on the calling thread, GIL released. */
static void convert_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress_ctx *p = arg;
	PyObject *r;

	if (p->failed)
		return;
	PyEval_RestoreThread(p->ts);
	r = PyObject_CallFunction(p->fn, "KK", (unsigned long long)done,
				  (unsigned long long)total);
	if (r)
		Py_DECREF(r);
	else {
		p->failed = true;
		PyErr_Fetch(&p->exc_type, &p->exc_value, &p->exc_tb);
	}
	p->ts = PyEval_SaveThread();
}

static PyObject *convert_stats(const struct kdx_convert_stats *s)
{
	return Py_BuildValue(
		"{sKsKsKsKsKsKsKsKsKsKsK}", "pages_dumped",
		(unsigned long long)s->pages_dumped, "pages_zero",
		(unsigned long long)s->pages_zero, "pages_excluded",
		(unsigned long long)s->pages_excluded, "pages_partial",
		(unsigned long long)s->pages_partial, "segments",
		(unsigned long long)s->segments, "bytes_in",
		(unsigned long long)s->bytes_in, "bytes_out",
		(unsigned long long)s->bytes_out, "page_tables_rewritten",
		(unsigned long long)s->pages_rewritten, "entries_rewritten",
		(unsigned long long)s->entries_rewritten, "entries_cleared",
		(unsigned long long)s->entries_cleared, "table_aliases",
		(unsigned long long)s->table_aliases);
}

static int parse_output(const char *to, enum kdx_output_format *fmt)
{
	if (!strcmp(to, "kdump"))
		*fmt = KDX_OUTPUT_KDUMP;
	else if (!strcmp(to, "elf"))
		*fmt = KDX_OUTPUT_ELF;
	else {
		PyErr_Format(PyExc_ValueError,
			     "convert: to=%R: expected 'kdump' or 'elf'",
			     PyUnicode_FromString(to));
		return -1;
	}
	return 0;
}

static PyObject *dump_convert(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "out", "to", "compress", "threads", "level",
				  "flatten", "exclude_zero", "paging",
				  "progress", NULL };
	PyObject *out_obj = NULL, *progress = Py_None;
	const char *to = "kdump", *compress = "zstd";
	unsigned int threads = 0;
	int level = 0, flatten = 0, exclude_zero = 0, paging = 0;
	struct kdx_convert_options opts;
	struct kdx_convert_stats stats;
	struct progress_ctx pc = { 0 };
	struct kdx_error *err;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|ssIipppO:convert",
					 kwlist, PyUnicode_FSConverter,
					 &out_obj, &to, &compress, &threads,
					 &level, &flatten, &exclude_zero,
					 &paging, &progress))
		return NULL;
	kdx_convert_options_init(&opts);
	if (dump_check_open(self) || parse_output(to, &opts.format))
		goto fail;
	if (!kdx_compression_from_name(compress, &opts.compression)) {
		PyErr_Format(PyExc_ValueError, "convert: unknown compression '%s'",
			     compress);
		goto fail;
	}
	if (progress != Py_None && !PyCallable_Check(progress)) {
		PyErr_SetString(PyExc_TypeError,
				"convert: progress must be callable");
		goto fail;
	}
	opts.threads = threads;
	opts.level = level;
	opts.flatten = flatten;
	opts.exclude_zero = exclude_zero;
	opts.paging = paging;
	if (progress != Py_None) {
		pc.fn = progress;
		opts.progress = convert_progress;
		opts.progress_ctx = &pc;
	}
	memset(&stats, 0, sizeof(stats));
	self->busy++;
	pc.ts = PyEval_SaveThread();
	err = kdx_convert(self->dump, PyBytes_AS_STRING(out_obj), &opts, &stats);
	PyEval_RestoreThread(pc.ts);
	self->busy--;
	Py_DECREF(out_obj);
	if (pc.failed) {
		kdx_error_destroy(err);
		PyErr_Restore(pc.exc_type, pc.exc_value, pc.exc_tb);
		return NULL;
	}
	if (err)
		return raise_kdx(err);
	return convert_stats(&stats);
fail:
	Py_DECREF(out_obj);
	return NULL;
}

/* ---- maps(): an iterator over kdx_xlat_next_mapping() ---- */

typedef struct {
	PyObject_HEAD
	DumpObject *dump;
	uint64_t next, end;
	bool done;
} MapsIterObject;

static PyTypeObject MapsIterType;

static PyObject *dump_maps(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "start", "end", NULL };
	uint64_t start = 0, end = UINT64_MAX;
	MapsIterObject *it;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O&:maps", kwlist,
					 parse_addr, &start, parse_addr, &end))
		return NULL;
	if (dump_check_open(self))
		return NULL;
	it = PyObject_New(MapsIterObject, &MapsIterType);
	if (!it)
		return NULL;
	Py_INCREF(self);
	it->dump = self;
	it->next = start;
	it->end = end;
	it->done = start > end;
	return (PyObject *)it;
}

static void maps_dealloc(MapsIterObject *it)
{
	Py_DECREF(it->dump);
	PyObject_Free(it);
}

static PyObject *mapping_new(const struct kdx_mapping *m)
{
	PyObject *o = PyStructSequence_New(mapping_type);

	if (!o)
		return NULL;
	PyStructSequence_SET_ITEM(o, 0, PyLong_FromUnsignedLongLong(m->vaddr));
	PyStructSequence_SET_ITEM(o, 1, PyLong_FromUnsignedLongLong(m->paddr));
	PyStructSequence_SET_ITEM(o, 2, PyLong_FromUnsignedLongLong(m->size));
	PyStructSequence_SET_ITEM(o, 3, PyLong_FromUnsignedLong(m->flags));
	PyStructSequence_SET_ITEM(o, 4,
				  PyLong_FromUnsignedLongLong(m->page_sizes));
	if (PyErr_Occurred()) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *maps_next(MapsIterObject *it)
{
	DumpObject *d = it->dump;
	struct kdx_mapping m;
	struct kdx_error *err;

	if (it->done || dump_check_open(d))
		return NULL;
	d->busy++;
	if (xlat_acquire(d)) {
		d->busy--;
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	err = kdx_xlat_next_mapping(d->xlat, it->next, it->end, &m);
	PyThread_release_lock(d->xlat_lock);
	Py_END_ALLOW_THREADS
	d->busy--;
	if (err && kdx_error_code(err) == KDX_ERR_NOTFOUND) {
		kdx_error_destroy(err);
		it->done = true;
		return NULL;
	}
	if (err)
		return raise_kdx(err);
	/* The next search starts past this run; the last run may end at
	 * the top of the address space. */
	if (m.vaddr + m.size - 1 >= it->end || m.vaddr + m.size == 0)
		it->done = true;
	else
		it->next = m.vaddr + m.size;
	return mapping_new(&m);
}

/* ---- dmesg(): an iterator over the kernel log ---- */

typedef struct {
	PyObject_HEAD
	DumpObject *dump;
	struct kdx_log *log;
	bool busy, done;
} LogIterObject;

static PyTypeObject LogIterType;

static PyObject *dump_dmesg(DumpObject *self, PyObject *Py_UNUSED(ignored))
{
	LogIterObject *it;
	struct kdx_log *log = NULL;
	struct kdx_error *err;

	if (dump_check_open(self))
		return NULL;
	self->busy++;
	Py_BEGIN_ALLOW_THREADS
	err = kdx_log_open(self->dump, NULL, &log);
	Py_END_ALLOW_THREADS
	self->busy--;
	if (err)
		return raise_kdx(err);
	it = PyObject_New(LogIterObject, &LogIterType);
	if (!it) {
		kdx_log_destroy(log);
		return NULL;
	}
	Py_INCREF(self);
	it->dump = self;
	it->log = log;
	it->busy = it->done = false;
	/* The log holds no reference into the Dump's xlat, but reads its
	 * memory: the Dump must not close under it. */
	self->busy++;
	return (PyObject *)it;
}

static void log_dealloc(LogIterObject *it)
{
	kdx_log_destroy(it->log);
	it->dump->busy--;
	Py_DECREF(it->dump);
	PyObject_Free(it);
}

static PyObject *record_new(const struct kdx_log_record *r)
{
	PyObject *o = PyStructSequence_New(record_type);

	if (!o)
		return NULL;
	PyStructSequence_SET_ITEM(o, 0, PyLong_FromUnsignedLongLong(r->seq));
	PyStructSequence_SET_ITEM(o, 1, r->has_timestamp ?
			PyLong_FromUnsignedLongLong(r->ts_nsec) :
			Py_NewRef(Py_None));
	PyStructSequence_SET_ITEM(o, 2, r->level == KDX_LOG_UNKNOWN ?
			Py_NewRef(Py_None) : PyLong_FromLong(r->level));
	PyStructSequence_SET_ITEM(o, 3, r->facility == KDX_LOG_UNKNOWN ?
			Py_NewRef(Py_None) : PyLong_FromLong(r->facility));
	PyStructSequence_SET_ITEM(o, 4, PyLong_FromUnsignedLong(r->flags));
	PyStructSequence_SET_ITEM(o, 5, r->has_caller ?
			PyLong_FromUnsignedLong(r->caller_id) :
			Py_NewRef(Py_None));
	PyStructSequence_SET_ITEM(o, 6, PyBytes_FromStringAndSize(
						r->text, (Py_ssize_t)r->text_len));
	PyStructSequence_SET_ITEM(o, 7, r->dict ?
			PyBytes_FromStringAndSize(r->dict,
						  (Py_ssize_t)r->dict_len) :
			Py_NewRef(Py_None));
	if (PyErr_Occurred()) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *log_next(LogIterObject *it)
{
	struct kdx_log_record rec;
	bool more;

	if (it->done)
		return NULL;
	if (it->busy) {
		PyErr_SetString(PyExc_RuntimeError,
				"kdx dmesg iterator used by two threads");
		return NULL;
	}
	it->busy = true;
	Py_BEGIN_ALLOW_THREADS
	more = kdx_log_next(it->log, &rec);
	Py_END_ALLOW_THREADS
	it->busy = false;
	if (more)
		return record_new(&rec);
	it->done = true;
	if (kdx_log_stopped_early(it->log)) {
		set_kdx_error(kdx_log_status(it->log));
	}
	return NULL;
}

static PyObject *log_layout(LogIterObject *it, void *Py_UNUSED(closure))
{
	return PyUnicode_FromString(
		kdx_log_layout_name(kdx_log_get_layout(it->log)));
}

static PyGetSetDef log_getset[] = {
	{ "layout", (getter)log_layout, NULL,
	  "The printk layout read: 'lockless', 'structured' or 'plain'.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject LogIterType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kdx.LogIterator",
	.tp_basicsize = sizeof(LogIterObject),
	.tp_dealloc = (destructor)log_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Iterator over the kernel log's records, oldest first.",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)log_next,
	.tp_getset = log_getset,
};

static PyTypeObject MapsIterType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kdx.MapsIterator",
	.tp_basicsize = sizeof(MapsIterObject),
	.tp_dealloc = (destructor)maps_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Iterator over the kernel's virtual mappings, in address order.",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)maps_next,
};

/* ---- attributes ---- */

static PyObject *dump_get_format(DumpObject *self, void *Py_UNUSED(c))
{
	if (dump_check_open(self))
		return NULL;
	return PyUnicode_FromString(kdx_dump_format_name(self->dump));
}

static PyObject *dump_get_arch(DumpObject *self, void *Py_UNUSED(c))
{
	if (dump_check_open(self))
		return NULL;
	return PyUnicode_FromString(kdx_arch_name(kdx_dump_arch(self->dump)));
}

static PyObject *dump_get_page_size(DumpObject *self, void *Py_UNUSED(c))
{
	if (dump_check_open(self))
		return NULL;
	return PyLong_FromUnsignedLong(kdx_dump_page_size(self->dump));
}

static PyObject *dump_get_word_size(DumpObject *self, void *Py_UNUSED(c))
{
	if (dump_check_open(self))
		return NULL;
	return PyLong_FromUnsignedLong(kdx_dump_word_size(self->dump));
}

static PyObject *dump_get_byte_order(DumpObject *self, void *Py_UNUSED(c))
{
	if (dump_check_open(self))
		return NULL;
	return PyUnicode_FromString(
		cli_byte_order_name(kdx_dump_byte_order(self->dump)));
}

static PyObject *dump_get_segment_count(DumpObject *self,
					 void *Py_UNUSED(c))
{
	if (dump_check_open(self))
		return NULL;
	return PyLong_FromSize_t(kdx_dump_segment_count(self->dump));
}

static PyObject *dump_get_closed(DumpObject *self, void *Py_UNUSED(c))
{
	return PyBool_FromLong(!self->dump);
}

static PyGetSetDef dump_getset[] = {
	{ "format", (getter)dump_get_format, NULL,
	  "Name of the format that read the dump ('elf', 'kdump', ...).", NULL },
	{ "arch", (getter)dump_get_arch, NULL,
	  "The dumped machine's architecture ('x86_64', ...).", NULL },
	{ "page_size", (getter)dump_get_page_size, NULL,
	  "The dumped kernel's page size in bytes.", NULL },
	{ "word_size", (getter)dump_get_word_size, NULL,
	  "Pointer size in bytes (4 or 8; 0 if unknown).", NULL },
	{ "byte_order", (getter)dump_get_byte_order, NULL,
	  "'little' or 'big'.", NULL },
	{ "segment_count", (getter)dump_get_segment_count, NULL,
	  "How many load segments (PT_LOADs) the dump's headers list, known\n"
	  "from the open without reading them again (0 for formats with none).",
	  NULL },
	{ "closed", (getter)dump_get_closed, NULL, "True after close().",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMemberDef dump_members[] = {
	{ "path", T_OBJECT, offsetof(DumpObject, path), READONLY,
	  "The (first) file the dump was opened from." },
	{ NULL, 0, 0, 0, NULL },
};

static PyMethodDef dump_methods[] = {
	{ "close", (PyCFunction)dump_close, METH_NOARGS,
	  "close()\n--\n\nClose the dump; later calls raise ValueError." },
	{ "__enter__", (PyCFunction)dump_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)dump_exit, METH_VARARGS, NULL },
	{ "info", (PyCFunction)dump_info, METH_NOARGS,
	  "info()\n--\n\nEverything `kdx info --json` says about the dump, as "
	  "a dict\n(the same builder makes both)." },
	{ "read", (PyCFunction)(void (*)(void))dump_read,
	  METH_VARARGS | METH_KEYWORDS,
	  "read(addr, size, phys=False, zero_fill=False)\n--\n\n"
	  "Read size bytes at addr: a kernel virtual address through kdx's\n"
	  "page-table walk, or a physical one with phys=True.  Missing memory\n"
	  "raises NoDataError naming the first missing address, unless\n"
	  "zero_fill=True reads it as zeros.  The GIL is released." },
	{ "readinto", (PyCFunction)(void (*)(void))dump_readinto,
	  METH_VARARGS | METH_KEYWORDS,
	  "readinto(addr, buffer, phys=False, zero_fill=False)\n--\n\n"
	  "Read len(buffer) bytes at addr straight into a writable buffer\n"
	  "(bytearray, memoryview, mmap, numpy array); returns the count." },
	{ "vtop", (PyCFunction)dump_vtop, METH_O,
	  "vtop(va)\n--\n\nTranslate a kernel virtual address: a Translation "
	  "(vaddr, paddr,\npage_size, flags, levels), levels being every Step "
	  "of the walk." },
	{ "maps", (PyCFunction)(void (*)(void))dump_maps,
	  METH_VARARGS | METH_KEYWORDS,
	  "maps(start=0, end=2**64-1)\n--\n\nIterate over the kernel's "
	  "virtual mappings in [start, end]: Mapping\n(vaddr, paddr, size, "
	  "flags, page_sizes) runs, in address order." },
	{ "dmesg", (PyCFunction)dump_dmesg, METH_NOARGS,
	  "dmesg()\n--\n\nIterate over the kernel log: Record(seq, ts_nsec, "
	  "level, facility,\nflags, caller_id, text, dict), oldest first.  A "
	  "walk that stops early\nraises the reason after the last record." },
	{ "convert", (PyCFunction)(void (*)(void))dump_convert,
	  METH_VARARGS | METH_KEYWORDS,
	  "convert(out, to='kdump', compress='zstd', threads=0, level=0,\n"
	  "        flatten=False, exclude_zero=False, paging=False,\n"
	  "        progress=None)\n--\n\n"
	  "Write the dump to out as a kdump-compressed or ELF file.  threads=0\n"
	  "uses one per CPU.  progress(done, total) is called now and then.\n"
	  "The GIL is released while writing.  Returns the writer's counts." },
	{ "notes", (PyCFunction)dump_notes, METH_NOARGS,
	  "notes()\n--\n\nThe dump's notes: (name, type, desc, kind, "
	  "file_offset) tuples." },
	{ "phys_ranges", (PyCFunction)dump_phys_ranges, METH_NOARGS,
	  "phys_ranges()\n--\n\nThe physical memory map: (start, size, kind) "
	  "tuples, kind being\n'file', 'zero' or 'excluded'." },
	{ "segments", (PyCFunction)dump_segments, METH_NOARGS,
	  "segments()\n--\n\nThe load segments in file order: (paddr, vaddr, "
	  "file_offset,\nfile_size, mem_size) tuples (read from the file on "
	  "the first call;\nsegment_count alone costs nothing)." },
	{ "symbol", (PyCFunction)dump_symbol, METH_O,
	  "symbol(name)\n--\n\nThe value of a symbol of the kernel "
	  "image given as kdx.open(..., kernel=PATH); None when no image was\n"
	  "given or it has no such symbol." },
	{ "vmcoreinfo", (PyCFunction)dump_vmcoreinfo, METH_NOARGS,
	  "vmcoreinfo()\n--\n\nVMCOREINFO as a dict of strings, or None." },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject DumpType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kdx.Dump",
	.tp_basicsize = sizeof(DumpObject),
	.tp_dealloc = (destructor)dump_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "An open dump; made by kdx.open(), closed by close() or a "
		  "with block.",
	.tp_methods = dump_methods,
	.tp_members = dump_members,
	.tp_getset = dump_getset,
};

/* ---- kdx.open ---- */

/* @paths_obj: one path or a sequence of them, each as bytes in @out. */
static PyObject *collect_paths(PyObject *paths_obj)
{
	PyObject *list, *seq;

	if (PyUnicode_Check(paths_obj) || PyBytes_Check(paths_obj) ||
	    PyObject_HasAttrString(paths_obj, "__fspath__")) {
		PyObject *b = NULL;

		if (!PyUnicode_FSConverter(paths_obj, &b))
			return NULL;
		list = PyList_New(1);
		if (!list) {
			Py_DECREF(b);
			return NULL;
		}
		PyList_SET_ITEM(list, 0, b);
		return list;
	}
	seq = PySequence_Fast(paths_obj, "kdx.open: expected a path or a "
					 "sequence of paths");
	if (!seq)
		return NULL;
	list = PyList_New(PySequence_Fast_GET_SIZE(seq));
	for (Py_ssize_t i = 0; list && i < PySequence_Fast_GET_SIZE(seq); i++) {
		PyObject *b = NULL;

		if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(seq, i),
					   &b)) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, i, b);
	}
	Py_DECREF(seq);
	if (list && PyList_GET_SIZE(list) == 0) {
		PyErr_SetString(PyExc_ValueError, "kdx.open: no paths given");
		Py_CLEAR(list);
	}
	return list;
}

static int parse_open_options(struct kdx_open_options *opts,
			      const char *arch, PyObject *raw_base,
			      unsigned int page_size)
{
	if (arch && (opts->arch = kdx_arch_from_name(arch)) == KDX_ARCH_UNKNOWN) {
		PyErr_Format(PyExc_ValueError, "kdx.open: unknown arch '%s'",
			     arch);
		return -1;
	}
	if (raw_base != Py_None) {
		opts->raw_base = PyLong_AsUnsignedLongLong(raw_base);
		if (PyErr_Occurred())
			return -1;
	}
	opts->page_size = page_size;
	return 0;
}

/* kernel=: None, or a path (str, bytes, os.PathLike) as bytes. */
static int kernel_converter(PyObject *obj, void *out)
{
	if (obj == Py_None) {
		*(PyObject **)out = NULL;
		return 1;
	}
	return PyUnicode_FSConverter(obj, out);
}

static PyObject *kdx_open(PyObject *mod, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "paths", "format", "arch", "raw_base",
				  "page_size", "no_map", "kernel",
				  "max_decompressed", NULL };
	PyObject *paths_obj, *raw_base = Py_None, *paths, *kernel = NULL;
	const char *format = NULL, *arch = NULL;
	unsigned int page_size = 0;
	unsigned long long max_decompressed = 0;
	int no_map = 0;
	struct kdx_open_options opts;
	const char **cpaths;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	Py_ssize_t n;
	DumpObject *self;

	(void)mod;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|zzOIpO&K:open", kwlist,
					 &paths_obj, &format, &arch, &raw_base,
					 &page_size, &no_map, kernel_converter,
					 &kernel, &max_decompressed))
		return NULL;
	kdx_open_options_init(&opts);
	opts.format = format;
	opts.no_map = no_map;
	opts.max_decompressed = max_decompressed;
	/* Read during the open only: freed once it returns. */
	opts.kernel = kernel ? PyBytes_AS_STRING(kernel) : NULL;
	if (parse_open_options(&opts, arch, raw_base, page_size)) {
		Py_XDECREF(kernel);
		return NULL;
	}
	paths = collect_paths(paths_obj);
	if (!paths) {
		Py_XDECREF(kernel);
		return NULL;
	}
	n = PyList_GET_SIZE(paths);
	cpaths = PyMem_Calloc((size_t)n, sizeof(*cpaths));
	if (!cpaths) {
		Py_DECREF(paths);
		return PyErr_NoMemory();
	}
	for (Py_ssize_t i = 0; i < n; i++)
		cpaths[i] = PyBytes_AS_STRING(PyList_GET_ITEM(paths, i));
	Py_BEGIN_ALLOW_THREADS
	err = kdx_dump_open_files(cpaths, (size_t)n, &opts, &dump);
	Py_END_ALLOW_THREADS
	PyMem_Free(cpaths);
	Py_XDECREF(kernel);
	if (err) {
		Py_DECREF(paths);
		return raise_kdx(err);
	}
	self = PyObject_New(DumpObject, &DumpType);
	if (!self) {
		kdx_dump_destroy(dump);
		Py_DECREF(paths);
		return NULL;
	}
	self->dump = dump;
	self->path = NULL;
	self->xlat_lock = NULL;
	self->xlat = NULL;
	self->xlat_err = NULL;
	self->xlat_tried = false;
	self->busy = 0;
	self->path = PyUnicode_DecodeFSDefault(
		PyBytes_AS_STRING(PyList_GET_ITEM(paths, 0)));
	Py_DECREF(paths);
	self->xlat_lock = PyThread_allocate_lock();
	if (!self->path || !self->xlat_lock) {
		Py_DECREF(self);
		return PyErr_NoMemory();
	}
	return (PyObject *)self;
}

static PyObject *kdx_formats(PyObject *mod, PyObject *Py_UNUSED(ignored))
{
	PyObject *list = PyList_New(0);
	const char *name, *desc;

	(void)mod;
	for (size_t i = 0; list && (name = kdx_format_name_at(i, &desc)); i++) {
		PyObject *t = Py_BuildValue("(ss)", name, desc ? desc : "");

		if (!t || PyList_Append(list, t))
			Py_CLEAR(list);
		Py_XDECREF(t);
	}
	return list;
}

static PyMethodDef module_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))kdx_open,
	  METH_VARARGS | METH_KEYWORDS,
	  "open(paths, format=None, arch=None, raw_base=None, page_size=0,\n"
	  "     no_map=False, kernel=None, max_decompressed=0)\n"
	  "--\n\n"
	  "Open a dump: one path, or the files of a makedumpfile --split set.\n"
	  "format names the reader instead of detecting it; arch, raw_base and\n"
	  "page_size describe a raw image.  The files are mapped into memory\n"
	  "(reads are copies from the page cache); no_map=True reads them with\n"
	  "pread instead, so that failing storage or a file truncated while\n"
	  "open raises an error rather than killing the process with SIGBUS.\n"
	  "kernel is the dumped kernel's ELF image (FreeBSD kernel.debug or\n"
	  "/boot/kernel/kernel, Linux vmlinux): its symbols give what the dump\n"
	  "lacks (Dump.symbol() looks them up).  max_decompressed bounds what a\n"
	  "compressed dump (vmcore.gz, .zst) may grow to (0: 1 TiB).\n"
	  "Returns a Dump (a context manager)."
	},
	{ "formats", kdx_formats, METH_NOARGS,
	  "formats()\n--\n\nThe formats kdx reads: (name, description) tuples." },
	{ NULL, NULL, 0, NULL },
};

/* ---- module set-up ---- */

static PyStructSequence_Field mapping_fields[] = {
	{ "vaddr", "first virtual address" },
	{ "paddr", "first physical address" },
	{ "size", "bytes" },
	{ "flags", "kdx.PAGE_* bits shared by the run" },
	{ "page_sizes", "OR of the page sizes in the run" },
	{ NULL, NULL },
};
static PyStructSequence_Field record_fields[] = {
	{ "seq", "sequence number" },
	{ "ts_nsec", "nanoseconds since boot, or None" },
	{ "level", "log level 0-7, or None" },
	{ "facility", "syslog facility, or None" },
	{ "flags", "kdx.LOG_FLAG_* and the kernel's flags" },
	{ "caller_id", "the kernel's caller id, or None" },
	{ "text", "the text (bytes, no trailing newline)" },
	{ "dict", "KEY=VALUE\\0 metadata (bytes), or None" },
	{ NULL, NULL },
};
static PyStructSequence_Field step_fields[] = {
	{ "level", "table name ('PML4', 'PD', ...)" },
	{ "table", "physical address of the table" },
	{ "index", "entry index" },
	{ "entry_addr", "physical address of the entry" },
	{ "entry", "the raw entry" },
	{ "size", "entry size in bytes" },
	{ NULL, NULL },
};
static PyStructSequence_Field translation_fields[] = {
	{ "vaddr", "the address translated" },
	{ "paddr", "its physical address" },
	{ "page_size", "size of the page that maps it" },
	{ "flags", "kdx.PAGE_* bits" },
	{ "levels", "the Steps of the walk, top first" },
	{ NULL, NULL },
};

static PyTypeObject *make_struct_type(const char *name, const char *doc,
				      PyStructSequence_Field *fields, int n)
{
	PyStructSequence_Desc desc = { name, doc, fields, n };

	return PyStructSequence_NewType(&desc);
}

static int add_exceptions(PyObject *m)
{
	static const struct {
		enum kdx_error_code code;
		const char *name, *doc;
	} classes[] = {
		{ KDX_ERR_NOMEM, "kdx.NoMemoryError", "Memory ran out." },
		{ KDX_ERR_OS, "kdx.SystemCallError",
		  "The operating system refused an I/O call (see errno)." },
		{ KDX_ERR_CORRUPT, "kdx.CorruptError", "The dump is damaged." },
		{ KDX_ERR_NODATA, "kdx.NoDataError",
		  "The data is not in the dump (a hole, an excluded page, an "
		  "unmapped address)." },
		{ KDX_ERR_UNSUPPORTED, "kdx.UnsupportedError",
		  "A format, version or feature kdx does not handle." },
		{ KDX_ERR_NOTFOUND, "kdx.NotFoundError",
		  "No format recognised the input, or a named item is absent." },
		{ KDX_ERR_INVALID, "kdx.InvalidError",
		  "An invalid argument (a non-canonical address, ...)." },
	};

	kdx_error_base = PyErr_NewExceptionWithDoc(
		"kdx.Error",
		"A libkdx error.  Attributes: code ('nodata', 'corrupt', ...),\n"
		"address and file_offset (int, or None when unknown), errno.",
		NULL, NULL);
	if (!kdx_error_base ||
	    PyModule_AddObjectRef(m, "Error", kdx_error_base))
		return -1;
	/* What an error that does not know them says. */
	set_attr(kdx_error_base, "code", Py_NewRef(Py_None));
	set_attr(kdx_error_base, "address", Py_NewRef(Py_None));
	set_attr(kdx_error_base, "file_offset", Py_NewRef(Py_None));
	set_attr(kdx_error_base, "errno", PyLong_FromLong(0));
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		PyObject *cls = PyErr_NewExceptionWithDoc(
			classes[i].name, classes[i].doc, kdx_error_base, NULL);

		if (!cls || PyModule_AddObjectRef(m, classes[i].name + 4, cls))
			return -1;
		kdx_error_by_code[classes[i].code] = cls;
	}
	return 0;
}

static int add_types(PyObject *m)
{
	mapping_type = make_struct_type("kdx.Mapping",
					"A run of kernel virtual mappings.",
					mapping_fields, 5);
	record_type = make_struct_type("kdx.Record", "A kernel log record.",
				       record_fields, 8);
	step_type = make_struct_type("kdx.Step",
				     "One level of a page-table walk.",
				     step_fields, 6);
	translation_type = make_struct_type(
		"kdx.Translation", "The result of Dump.vtop().",
		translation_fields, 5);
	if (!mapping_type || !record_type || !step_type || !translation_type)
		return -1;
	if (PyType_Ready(&DumpType) || PyType_Ready(&MapsIterType) ||
	    PyType_Ready(&LogIterType))
		return -1;
	if (PyModule_AddObjectRef(m, "Dump", (PyObject *)&DumpType) ||
	    PyModule_AddObjectRef(m, "Mapping", (PyObject *)mapping_type) ||
	    PyModule_AddObjectRef(m, "Record", (PyObject *)record_type) ||
	    PyModule_AddObjectRef(m, "Step", (PyObject *)step_type) ||
	    PyModule_AddObjectRef(m, "Translation",
				  (PyObject *)translation_type))
		return -1;
	return 0;
}

static int add_constants(PyObject *m)
{
	static const struct {
		const char *name;
		long value;
	} constants[] = {
		{ "PAGE_WRITABLE", KDX_PAGE_WRITABLE },
		{ "PAGE_USER", KDX_PAGE_USER },
		{ "PAGE_NX", KDX_PAGE_NX },
		{ "PAGE_GLOBAL", KDX_PAGE_GLOBAL },
		{ "LOG_FLAG_NEWLINE", KDX_LOG_FLAG_NEWLINE },
		{ "LOG_FLAG_CONT", KDX_LOG_FLAG_CONT },
		{ "LOG_FLAG_TRUNCATED", KDX_LOG_FLAG_TRUNCATED },
		{ "LOG_FLAG_DATALESS", KDX_LOG_FLAG_DATALESS },
	};

	for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++)
		if (PyModule_AddIntConstant(m, constants[i].name,
					    constants[i].value))
			return -1;
	return 0;
}

static struct PyModuleDef kdx_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "kdx._kdx",
	.m_doc = "libkdx's C binding; use the kdx package.",
	.m_size = -1,
	.m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__kdx(void);

PyMODINIT_FUNC PyInit__kdx(void)
{
	PyObject *m = PyModule_Create(&kdx_module);

	if (!m)
		return NULL;
	if (add_exceptions(m) || add_types(m) || add_constants(m)) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
