// Copyright 2026 the winipc authors. MIT license.
//
// shm_peer: a classic Win32 shared-memory program used by the shared-memory
// interop tests. It is written the way an ordinary Windows program is
// (CreateFileMappingW / OpenFileMappingW on a page-file backed section,
// MapViewOfFile, plain loops over the bytes), so the library is tested
// against real-world behaviour.
//
// Build (from the checkout):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/shm_peer.exe tests/native/shm_peer.c
//
// Usage (NAME is the mapping name, e.g. Local\winipc-test; arguments are
// plain ASCII). The pattern for SEED is: byte i is (i * 31 + SEED) & 255.
//
//   shm_peer.exe create NAME SIZE SEED
//     Creates a page-file backed mapping of SIZE bytes (PAGE_READWRITE),
//     maps all of it, fills it with the pattern, prints "ready", then reads
//     stdin to its end (keeping the mapping alive meanwhile) and exits 0.
//     If the name already exists, prints "exists" and exits 3.
//   shm_peer.exe check NAME SIZE SEED
//     Opens the mapping with FILE_MAP_READ, maps SIZE bytes read-only and
//     compares them with the pattern. Prints "ok" and exits 0, or prints
//     "bad at I: got X want Y" (decimal) for the first mismatch and exits 4.
//   shm_peer.exe write NAME SIZE SEED
//     Opens the mapping with FILE_MAP_WRITE | FILE_MAP_READ, maps SIZE bytes,
//     fills them with the pattern and prints "written".
//   shm_peer.exe try-write-readonly NAME
//     Opens the mapping with FILE_MAP_READ only, then asks for a
//     FILE_MAP_WRITE view of it. Prints "refused E" (E: GetLastError()) if
//     MapViewOfFile fails, or "allowed" if it succeeds; exits 0 either way.
//   shm_peer.exe size NAME
//     Opens the mapping with FILE_MAP_READ, maps the whole section (size 0)
//     and prints "size N", N being the RegionSize VirtualQuery reports for
//     the view.
//
// Every line printed ends in "\n" and is flushed at once.
//
// Unexpected errors print "shm_peer: WHAT failed (error N)" to stderr and
// exit 1; usage errors exit 2.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 512

static void die(const char *what) {
  fprintf(stderr, "shm_peer: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: shm_peer.exe create NAME SIZE SEED\n"
          "       shm_peer.exe check NAME SIZE SEED\n"
          "       shm_peer.exe write NAME SIZE SEED\n"
          "       shm_peer.exe try-write-readonly NAME\n"
          "       shm_peer.exe size NAME\n");
  exit(2);
}

// A decimal count: digits only, at most 2^32 - 1.
static DWORD parse_count(const char *text) {
  char *end = NULL;
  unsigned long long v;
  if (text[0] < '0' || text[0] > '9') usage();
  v = strtoull(text, &end, 10);
  if (*end != '\0' || v > 0xffffffffull) usage();
  return (DWORD)v;
}

static void print_line(const char *s) {
  fputs(s, stdout);
  fputs("\n", stdout);
  fflush(stdout);
}

// Converts the ASCII name to UTF-16 in out (NAME_MAX_CHARS wide characters).
static void to_wide(const char *name, WCHAR *out) {
  if (MultiByteToWideChar(CP_ACP, 0, name, -1, out, NAME_MAX_CHARS) == 0)
    die("MultiByteToWideChar");
}

static unsigned char pattern(DWORD i, DWORD seed) {
  return (unsigned char)((i * 31u + seed) & 255u);
}

static HANDLE open_mapping(const char *name, DWORD access) {
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h;
  to_wide(name, wname);
  h = OpenFileMappingW(access, FALSE, wname);
  if (h == NULL) die("OpenFileMappingW");
  return h;
}

static void fill(unsigned char *p, DWORD size, DWORD seed) {
  DWORD i;
  for (i = 0; i < size; i++) p[i] = pattern(i, seed);
}

// ---------------------------------------------------------------------------
// commands

static int run_create(const char *name, const char *size_text, const char *seed_text) {
  DWORD size = parse_count(size_text), seed = parse_count(seed_text), got;
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h, in;
  unsigned char *view;
  char buf[256];
  to_wide(name, wname);
  h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, wname);
  if (h == NULL) die("CreateFileMappingW");
  if (GetLastError() == ERROR_ALREADY_EXISTS) {
    CloseHandle(h);
    print_line("exists");
    return 3;
  }
  view = (unsigned char *)MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (view == NULL) die("MapViewOfFile");
  fill(view, size, seed);
  print_line("ready");
  in = GetStdHandle(STD_INPUT_HANDLE);
  if (in == INVALID_HANDLE_VALUE || in == NULL) die("GetStdHandle");
  for (;;) {
    if (!ReadFile(in, buf, sizeof buf, &got, NULL)) break;
    if (got == 0) break;
  }
  if (!UnmapViewOfFile(view)) die("UnmapViewOfFile");
  CloseHandle(h);
  return 0;
}

static int run_check(const char *name, const char *size_text, const char *seed_text) {
  DWORD size = parse_count(size_text), seed = parse_count(seed_text), i;
  HANDLE h = open_mapping(name, FILE_MAP_READ);
  const unsigned char *view = (const unsigned char *)MapViewOfFile(h, FILE_MAP_READ, 0, 0, size);
  int status = 0;
  if (view == NULL) die("MapViewOfFile");
  for (i = 0; i < size; i++) {
    unsigned char want = pattern(i, seed);
    if (view[i] != want) {
      printf("bad at %lu: got %u want %u\n", (unsigned long)i, (unsigned)view[i],
             (unsigned)want);
      fflush(stdout);
      status = 4;
      break;
    }
  }
  if (status == 0) print_line("ok");
  UnmapViewOfFile(view);
  CloseHandle(h);
  return status;
}

static int run_write(const char *name, const char *size_text, const char *seed_text) {
  DWORD size = parse_count(size_text), seed = parse_count(seed_text);
  HANDLE h = open_mapping(name, FILE_MAP_WRITE | FILE_MAP_READ);
  unsigned char *view = (unsigned char *)MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, size);
  if (view == NULL) die("MapViewOfFile");
  fill(view, size, seed);
  if (!UnmapViewOfFile(view)) die("UnmapViewOfFile");
  CloseHandle(h);
  print_line("written");
  return 0;
}

static int run_try_write_readonly(const char *name) {
  HANDLE h = open_mapping(name, FILE_MAP_READ);
  void *view = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
  if (view == NULL) {
    printf("refused %lu\n", GetLastError());
    fflush(stdout);
  } else {
    print_line("allowed");
    UnmapViewOfFile(view);
  }
  CloseHandle(h);
  return 0;
}

static int run_size(const char *name) {
  HANDLE h = open_mapping(name, FILE_MAP_READ);
  void *view = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
  MEMORY_BASIC_INFORMATION info;
  if (view == NULL) die("MapViewOfFile");
  if (VirtualQuery(view, &info, sizeof info) == 0) die("VirtualQuery");
  printf("size %llu\n", (unsigned long long)info.RegionSize);
  fflush(stdout);
  UnmapViewOfFile(view);
  CloseHandle(h);
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd;
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);

  if (argc < 3) usage();
  cmd = argv[1];
  if (strcmp(cmd, "create") == 0 && argc == 5) return run_create(argv[2], argv[3], argv[4]);
  if (strcmp(cmd, "check") == 0 && argc == 5) return run_check(argv[2], argv[3], argv[4]);
  if (strcmp(cmd, "write") == 0 && argc == 5) return run_write(argv[2], argv[3], argv[4]);
  if (strcmp(cmd, "try-write-readonly") == 0 && argc == 3) return run_try_write_readonly(argv[2]);
  if (strcmp(cmd, "size") == 0 && argc == 3) return run_size(argv[2]);
  usage();
  return 2;
}
