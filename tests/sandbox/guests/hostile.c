// Hostile test guest for tests/unit/sandbox/runtime_test.cc: one well-behaved export and one
// export per way a guest can misbehave. Freestanding C (no libc), built by riptide_c_guest with
// --stack-first, a 64 KiB shadow stack and a 4 MiB memory cap.

typedef unsigned int u32;

// A host import (Z_riptide_testZ_sleep_ms in the host) that sleeps; the test decides what else it
// does.
__attribute__((import_module("riptide_test"), import_name("sleep_ms"))) void host_sleep_ms(u32 ms);

static volatile u32 g_counter;

int add(int a, int b) {
  return a + b;
}

// Per-instance state: a fresh instance starts again at 1.
u32 bump(void) {
  return ++g_counter;
}

int load_at(u32 address) {
  return *(volatile int*)address;
}

void store_at(u32 address, int value) {
  *(volatile int*)address = value;
}

void hit_unreachable(void) {
  __builtin_trap();
}

int divide(int a, int b) {
  return a / b;
}

typedef int (*unary_fn)(int);
typedef int (*binary_fn)(int, int);
static volatile binary_fn g_binary = add;
static volatile unary_fn g_null_unary = 0;

// call_indirect of a function whose type differs from the call site's.
int call_mismatched(int x) {
  return ((unary_fn)(void*)g_binary)(x);
}

// call_indirect through a null function pointer (table slot 0).
int call_null(int x) {
  return g_null_unary(x);
}

// Recursion with an address-taken array: each level takes 256 bytes of the guest's shadow stack,
// which runs out long before the native stack.
static int shadow_recurse(int n) {
  volatile int frame[64];
  frame[0] = n;
  return n <= 0 ? frame[0] : shadow_recurse(n - 1) + frame[0];
}
int overflow_shadow_stack(int depth) {
  return shadow_recurse(depth);
}

// Recursion through a function pointer with no shadow-stack frame: every level is a native C
// frame in the host, so deep enough recursion exhausts the host thread's stack.
static int native_recurse(int n);
static volatile unary_fn g_next_level = native_recurse;
static int native_recurse(int n) {
  return n <= 0 ? 0 : g_next_level(n - 1) + 1;
}
int overflow_native_stack(int depth) {
  return native_recurse(depth);
}

void spin_forever(void) {
  for (;;) ++g_counter;
}

// Grows by 16 pages until memory.grow refuses (-1); returns the final size in pages.
u32 grow_until_refused(void) {
  while (__builtin_wasm_memory_grow(0, 16) != (__SIZE_TYPE__)-1) {
  }
  while (__builtin_wasm_memory_grow(0, 1) != (__SIZE_TYPE__)-1) {
  }
  return (u32)__builtin_wasm_memory_size(0);
}

// A memory bomb that then writes one byte past the end of what it got.
void grow_then_write_past_end(void) {
  u32 pages = grow_until_refused();
  *(volatile char*)(pages * 65536u) = 1;
}

// An endless loop that spends most of its time inside the runtime's wasm_rt_grow_memory.
void grow_by_zero_forever(void) {
  for (;;) __builtin_wasm_memory_grow(0, 0);
}

u32 memory_pages(void) {
  return (u32)__builtin_wasm_memory_size(0);
}

// Calls the host import, then returns normally.
int sleep_in_host(u32 ms) {
  host_sleep_ms(ms);
  return 42;
}
