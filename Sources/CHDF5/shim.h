#ifndef ALPHASWEEP_CHDF5_SHIM_H
#define ALPHASWEEP_CHDF5_SHIM_H
#include <hdf5.h>
#include <H5DSpublic.h>
#include <stdio.h>
#include <zlib.h>

// HDF5's predefined type and property-list ids are macros that call H5open(); Swift cannot
// import them, so each one is exposed as a function.
static inline hid_t alphasweep_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t alphasweep_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t alphasweep_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t alphasweep_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t alphasweep_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t alphasweep_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t alphasweep_h5t_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t alphasweep_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t alphasweep_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t alphasweep_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t alphasweep_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t alphasweep_h5p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t alphasweep_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t alphasweep_h5s_all(void) { return H5S_ALL; }
static inline hsize_t alphasweep_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t alphasweep_h5t_variable(void) { return H5T_VARIABLE; }
static inline unsigned alphasweep_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned alphasweep_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned alphasweep_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline herr_t alphasweep_h5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

// MARK: - Error stack and object introspection (callbacks and macro ids Swift cannot use directly)

typedef struct {
    char *buffer;
    size_t capacity;
    size_t used;
    unsigned frames;
} alphasweep_h5_error_text_state;

static herr_t alphasweep_h5_error_walk(unsigned n, const H5E_error2_t *err, void *data) {
    (void)n;
    alphasweep_h5_error_text_state *state = (alphasweep_h5_error_text_state *)data;
    if (err == NULL || err->desc == NULL || err->desc[0] == '\0') return 0;
    if (state->used + 3 >= state->capacity) return 0;
    int written = snprintf(state->buffer + state->used, state->capacity - state->used, "%s%s",
                           state->frames == 0 ? "" : "; ", err->desc);
    if (written > 0) {
        size_t w = (size_t)written;
        state->used += (w < state->capacity - state->used) ? w : (state->capacity - state->used - 1);
    }
    state->frames += 1;
    return 0;
}

/// Writes the descriptions on the current thread's HDF5 error stack, innermost (most specific)
/// first, separated by "; ", into `buffer` (always NUL-terminated), then clears the stack.
static inline void alphasweep_h5_error_text(char *buffer, size_t capacity) {
    if (buffer == NULL || capacity == 0) return;
    buffer[0] = '\0';
    alphasweep_h5_error_text_state state = { buffer, capacity, 0, 0 };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, alphasweep_h5_error_walk, &state);
    H5Eclear2(H5E_DEFAULT);
}

/// The number of attributes attached to an object, or -1 on failure.
static inline long long alphasweep_h5_attribute_count(hid_t object) {
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
    return (long long)info.num_attrs;
}

/// zlib's CRC-32 (the IEEE polynomial of gzip and PNG) continuing from `crc`, for buffers of
/// any size (zlib takes at most 4 GiB per call).
static inline unsigned int alphasweep_crc32(unsigned int crc, const void *bytes, size_t count) {
    const unsigned char *p = (const unsigned char *)bytes;
    unsigned long c = crc;
    while (count > 0) {
        unsigned int n = count > 0x40000000u ? 0x40000000u : (unsigned int)count;
        c = crc32(c, p, n);
        p += n;
        count -= n;
    }
    return (unsigned int)c;
}

/// The number of links in a group, or -1 on failure.
static inline long long alphasweep_h5_link_count(hid_t group) {
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) return -1;
    return (long long)info.nlinks;
}

#endif
