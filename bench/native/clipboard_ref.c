// Copyright 2026 the winipc authors. MIT license.
//
// clipboard_ref.c: the native reference for `deno task bench`, clipboard
// section. Measures, from plain C, how many times a second one process can
// write Unicode text to the clipboard and read it back, so the Deno numbers
// can be read against what the platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/clipboard_ref.exe bench/native/clipboard_ref.c
// Run:   clipboard_ref.exe [ms]   (ms per measurement, default 1000)
//
// One operation (clipboard.text_write_read, sizes 1 KiB and 1 MiB of UTF-16
// text, the terminating NUL not counted): OpenClipboard with a message-only
// window as owner, EmptyClipboard, GlobalAlloc(GMEM_MOVEABLE) + GlobalLock +
// memcpy + GlobalUnlock, SetClipboardData(CF_UNICODETEXT), CloseClipboard;
// then OpenClipboard, GetClipboardData, GlobalSize + GlobalLock + memcpy into
// a buffer of its own + GlobalUnlock, CloseClipboard, and a check of the
// length and of the first and last characters. This is what winipc's
// writeText + readText do on the window thread. Operations run unmeasured
// for about ms/4, then are counted for about ms, looking at the clock after
// each. Prints one JSON object per size on stdout, and nothing else there;
// errors go to stderr with exit status 1.

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static HWND owner;
static LARGE_INTEGER freq;

static void die(const char *what) {
  fprintf(stderr, "clipboard_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static void open_clipboard(void) {
  for (int i = 0; i < 1000; i++) {
    if (OpenClipboard(owner)) return;
    Sleep(1);
  }
  die("OpenClipboard");
}

static void write_read(const wchar_t *text, size_t chars, wchar_t *copy) {
  size_t bytes = (chars + 1) * sizeof(wchar_t);
  open_clipboard();
  if (!EmptyClipboard()) die("EmptyClipboard");
  HGLOBAL h = GlobalAlloc(GMEM_MOVEABLE, bytes);
  if (!h) die("GlobalAlloc");
  void *p = GlobalLock(h);
  memcpy(p, text, bytes);
  GlobalUnlock(h);
  if (!SetClipboardData(CF_UNICODETEXT, h)) {
    GlobalFree(h);
    die("SetClipboardData");
  }
  CloseClipboard();

  open_clipboard();
  HANDLE got = GetClipboardData(CF_UNICODETEXT);
  if (!got) die("GetClipboardData");
  size_t size = GlobalSize(got);
  const void *q = GlobalLock(got);
  if (!q) die("GlobalLock");
  memcpy(copy, q, size < bytes ? size : bytes);
  GlobalUnlock(got);
  CloseClipboard();
  if (size < bytes || copy[0] != text[0] || copy[chars - 1] != text[chars - 1] || copy[chars] != 0) {
    fprintf(stderr, "clipboard_ref: read back the wrong text\n");
    exit(1);
  }
}

int main(int argc, char **argv) {
  double ms = argc >= 2 ? atof(argv[1]) : 1000;
  QueryPerformanceFrequency(&freq);
  owner = CreateWindowExW(0, L"STATIC", L"clipboard_ref", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL,
                          NULL);
  if (!owner) die("CreateWindowExW");
  const size_t sizes[] = {1024, 1024 * 1024};
  for (int s = 0; s < 2; s++) {
    size_t chars = sizes[s] / sizeof(wchar_t);
    wchar_t *text = malloc((chars + 1) * sizeof(wchar_t));
    wchar_t *copy = malloc((chars + 1) * sizeof(wchar_t));
    for (size_t i = 0; i < chars; i++) text[i] = (wchar_t)(L'a' + i % 26);
    text[chars] = 0;
    double warm = now_ms() + ms / 4;
    while (now_ms() < warm) write_read(text, chars, copy);
    long ops = 0;
    double start = now_ms(), end;
    do {
      write_read(text, chars, copy);
      ops++;
      end = now_ms();
    } while (end - start < ms);
    printf("{\"bench\":\"clipboard.text_write_read\",\"impl\":\"native\",\"size\":%zu,\"ops_per_s\":%.0f}\n",
           sizes[s], ops / ((end - start) / 1000.0));
    fflush(stdout);
    free(text);
    free(copy);
  }
  return 0;
}
