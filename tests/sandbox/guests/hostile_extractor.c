// Hostile extractor guest for tests/unit/sandbox/hostile_extractor_test.cc: it exports the guest
// ABI v2 (docs/abi.md) like src/guest, but answers with garbage the host must refuse. Freestanding
// C (no libc), built by riptide_c_guest.
//
// riptide_extract reads its behaviour from the last byte of the request, which is the last byte
// of the page (the HTML comes last in a request):
//   'k'  a well-formed error result (status 5, message "hostile"): the honest answer
//   'p'  a result pointer past the end of memory
//   'w'  a result length whose 32-bit sum with the pointer wraps to a small value
//   'b'  a result of 2048 bytes, inside memory (over the test's max_output_bytes)
//   'g'  bytes that are not an encoding (wrong tag)
//   'u'  a well-formed error result whose message is not UTF-8
//   'd'  a well-formed error result whose status disagrees with the returned status
// riptide_alloc returns a buffer that overlaps the end of memory for requests over 32 KiB.

typedef unsigned int u32;
typedef unsigned char u8;

static u8 g_request[32768];
static u8 g_result[4096];
static u32 g_result_ptr;
static u32 g_result_len;

static u32 memory_bytes(void) {
  return (u32)__builtin_wasm_memory_size(0) * 65536u;
}

static u32 address_of(const void* p) {
  return (u32)(unsigned long)p;
}

void _initialize(void) {}

// The ABI version src/guest/abi.h kAbiVersion; the tag bytes below carry it too.
#define ABI_VERSION 2

u32 riptide_abi_version(void) {
  return ABI_VERSION;
}

u32 riptide_alloc(u32 size) {
  if (size > sizeof g_request) return memory_bytes() - 16;
  return address_of(g_request);
}

void riptide_free(u32 ptr) {
  (void)ptr;
}

// An error result: tag, status byte, then the message as a `str` (u32 length, bytes).
static void error_result(u8 status, const u8* message, u32 len) {
  const u8 version = ABI_VERSION;
  const u8 head[] = {
      'R', 'T', 'R', version, status, (u8)len, (u8)(len >> 8), (u8)(len >> 16), (u8)(len >> 24)};
  u32 at = 0;
  for (u32 i = 0; i < sizeof head; ++i) g_result[at++] = head[i];
  for (u32 i = 0; i < len; ++i) g_result[at++] = message[i];
  g_result_ptr = address_of(g_result);
  g_result_len = at;
}

u32 riptide_extract(u32 ptr, u32 len) {
  const u8 selector = len > 0 ? ((const u8*)(unsigned long)ptr)[len - 1] : 0;
  static const u8 kHostile[] = {'h', 'o', 's', 't', 'i', 'l', 'e'};
  static const u8 kNotUtf8[] = {'b', 'a', 'd', 0xff, 0xfe, 'x'};
  static const u8 kGarbage[] = {'X', 'Y', 'Z', 1, 0, 0, 0, 0};
  switch (selector) {
    case 'p':
      g_result_ptr = memory_bytes() + 64;
      g_result_len = 8;
      return 0;
    case 'w':
      g_result_ptr = 16;
      g_result_len = 0xfffffff8u;
      return 0;
    case 'b':
      g_result_ptr = address_of(g_result);
      g_result_len = 2048;
      return 0;
    case 'g':
      for (u32 i = 0; i < sizeof kGarbage; ++i) g_result[i] = kGarbage[i];
      g_result_ptr = address_of(g_result);
      g_result_len = sizeof kGarbage;
      return 0;
    case 'u':
      error_result(5, kNotUtf8, sizeof kNotUtf8);
      return 5;
    case 'd':
      error_result(5, kHostile, sizeof kHostile);
      return 0;
    default:
      error_result(5, kHostile, sizeof kHostile);
      return 5;
  }
}

u32 riptide_result_ptr(void) {
  return g_result_ptr;
}

u32 riptide_result_len(void) {
  return g_result_len;
}

u32 riptide_info(void) {
  g_result_len = 0;
  return 0;
}

u32 riptide_modes(void) {
  return 1;
}

u32 riptide_health(void) {
  return 0;
}

u32 riptide_reset(void) {
  return 0;
}
