// Copyright 2026 the winipc authors. MIT license.
// Clipboard peer for tests/clipboard_test.ts: another process using the
// clipboard the plain Win32 way. Text arguments and results are hex of UTF-8.
//
//   clipboard_peer set-text HEX               CF_UNICODETEXT
//   clipboard_peer get-text                   "text HEX" or "none"
//   clipboard_peer set-html FRAGHEX URLHEX|-  "HTML Format" with offsets computed here
//   clipboard_peer get-html                   checks the header's offsets against the
//                                             markers and the length; "html FRAGHEX URLHEX|-"
//                                             or "bad REASON"
//   clipboard_peer set-rtf HEX / get-rtf      "Rich Text Format" ("rtf HEX")
//   clipboard_peer set-files HEX / get-files  CF_HDROP, paths joined by "\n" (read with
//                                             DragQueryFileW; "files HEX")
//   clipboard_peer set-files-unterminated HEX CF_HDROP as set-files, but the block ends
//                                             right after the last path's last character
//                                             (no NUL after it, no final NUL)
//   clipboard_peer set-custom NAME HEX        a registered format's bytes
//   clipboard_peer set-custom-file NAME PATH  a registered format's bytes: the file's
//   clipboard_peer get-custom NAME            "custom HEX" (GlobalSize bytes) or "none"
//   clipboard_peer get-dword NAME             "dword SIZE VALUE" or "none"
//   clipboard_peer set-image W H              CF_DIBV5 only, 32-bit BI_BITFIELDS with alpha,
//                                             pixel (x, y) = pattern() below
//   clipboard_peer get-image                  CF_DIBV5 (32-bit): "image W H HEX" of RGBA,
//                                             top row first; or "none" / "bad REASON"
//   clipboard_peer set-emf                    CF_ENHMETAFILE: a rectangle and an ellipse
//   clipboard_peer get-emf                    "emf SIZE SUM" (GetEnhMetaFileBits) or "none"
//   clipboard_peer formats                    "formats ID:NAME,..." (EnumClipboardFormats)
//   clipboard_peer hold MS                    opens the clipboard with its window, prints
//                                             "held PID", holds it MS ms, prints "released"
//   clipboard_peer changes K [GAPMS]          K writes of "change i", GAPMS ms apart (default 0);
//                                             "done FIRST LAST" (the sequence numbers after
//                                             the first and the last)
//   clipboard_peer seq                        "seq N"
// Every write opens the clipboard with a hidden window as owner (retrying for up
// to 2 s), empties it, sets, closes. Exit status 1 on failure, with a reason.
// link: -lshell32 -lgdi32
#include <windows.h>
#include <shlobj.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static HWND owner;

static void fail(const char *what) {
  printf("bad %s error %lu\n", what, GetLastError());
  exit(1);
}

static unsigned char *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex) / 2;
  unsigned char *out = calloc(n + 1, 1);
  for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
  *len = n;
  return out;
}

static void print_hex(const unsigned char *p, size_t n) {
  if (n == 0) printf("-");
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

static wchar_t *to_wide(const char *utf8, int len, int *wlen) {
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8, len, NULL, 0);
  wchar_t *w = calloc(n + 1, sizeof(wchar_t));
  MultiByteToWideChar(CP_UTF8, 0, utf8, len, w, n);
  *wlen = n;
  return w;
}

static void print_wide_hex(const wchar_t *w, int wlen) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, wlen, NULL, 0, NULL, NULL);
  char *u = malloc(n + 1);
  WideCharToMultiByte(CP_UTF8, 0, w, wlen, u, n, NULL, NULL);
  print_hex((unsigned char *)u, n);
  free(u);
}

static void make_owner(void) {
  owner = CreateWindowExW(0, L"STATIC", L"clipboard_peer", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                          NULL, NULL);
  if (!owner) fail("CreateWindowExW");
}

static void open_clipboard(void) {
  if (!owner) make_owner();
  for (int i = 0; i < 2000; i++) {
    if (OpenClipboard(owner)) return;
    Sleep(1);
  }
  fail("OpenClipboard");
}

static HGLOBAL global_of(const void *data, size_t n) {
  HGLOBAL h = GlobalAlloc(GMEM_MOVEABLE, n);
  if (!h) fail("GlobalAlloc");
  void *p = GlobalLock(h);
  memcpy(p, data, n);
  GlobalUnlock(h);
  return h;
}

// Replaces the clipboard's content with one format.
static void set_one(UINT format, const void *data, size_t n) {
  open_clipboard();
  if (!EmptyClipboard()) fail("EmptyClipboard");
  HGLOBAL h = global_of(data, n);
  if (!SetClipboardData(format, h)) {
    GlobalFree(h);
    CloseClipboard();
    fail("SetClipboardData");
  }
  CloseClipboard();
  printf("ok %lu\n", GetClipboardSequenceNumber());
}

// Copies one format's data out (NULL if absent); *n gets GlobalSize.
static unsigned char *get_one(UINT format, size_t *n) {
  open_clipboard();
  HANDLE h = GetClipboardData(format);
  if (!h) {
    CloseClipboard();
    return NULL;
  }
  *n = GlobalSize(h);
  unsigned char *out = malloc(*n + 2);
  void *p = GlobalLock(h);
  if (!p) fail("GlobalLock");
  memcpy(out, p, *n);
  out[*n] = out[*n + 1] = 0;
  GlobalUnlock(h);
  CloseClipboard();
  return out;
}

static UINT registered(const char *name) {
  int wlen;
  wchar_t *w = to_wide(name, -1, &wlen);
  UINT id = RegisterClipboardFormatW(w);
  if (!id) fail("RegisterClipboardFormatW");
  return id;
}

// The test image: pixel (x, y) in straight RGBA.
static void pattern(int x, int y, unsigned char rgba[4]) {
  rgba[0] = (unsigned char)(x * 40 + y * 7);
  rgba[1] = (unsigned char)(y * 50 + x * 3);
  rgba[2] = (unsigned char)(x * y * 11 + 5);
  rgba[3] = (unsigned char)(x * 37 + y * 91 + 1);
}

static long header_field(const char *data, const char *name) {
  const char *p = strstr(data, name);
  if (!p) return -2;
  return strtol(p + strlen(name), NULL, 10);
}

static void get_html(void) {
  size_t n;
  unsigned char *data = get_one(registered("HTML Format"), &n);
  if (!data) {
    printf("none\n");
    return;
  }
  const char *s = (const char *)data;
  size_t len = strnlen(s, n);
  long sh = header_field(s, "StartHTML:"), eh = header_field(s, "EndHTML:");
  long sf = header_field(s, "StartFragment:"), ef = header_field(s, "EndFragment:");
  const char *start_marker = "<!--StartFragment-->", *end_marker = "<!--EndFragment-->";
  const char *a = strstr(s, start_marker), *b = strstr(s, end_marker);
  if (sh < 0 || eh < 0 || sf < 0 || ef < 0) { printf("bad missing offsets\n"); exit(1); }
  if (!a || !b) { printf("bad missing markers\n"); exit(1); }
  if ((size_t)eh != len) { printf("bad EndHTML %ld length %zu\n", eh, len); exit(1); }
  if (strncmp(s + sh, "<html", 5) != 0 && strncmp(s + sh, "<!DOCTYPE", 9) != 0) {
    printf("bad StartHTML %ld\n", sh);
    exit(1);
  }
  if (sf != (long)(a - s + strlen(start_marker))) { printf("bad StartFragment %ld\n", sf); exit(1); }
  if (ef != (long)(b - s)) { printf("bad EndFragment %ld\n", ef); exit(1); }
  printf("html ");
  print_hex(data + sf, ef - sf);
  const char *url = strstr(s, "SourceURL:");
  printf(" ");
  if (url && url < s + sh) {
    url += strlen("SourceURL:");
    print_hex((const unsigned char *)url, strcspn(url, "\r\n"));
  } else {
    printf("-");
  }
  printf("\n");
}

static void set_html(const char *frag_hex, const char *url_hex) {
  size_t fl, ul = 0;
  unsigned char *frag = unhex(frag_hex, &fl);
  unsigned char *url = strcmp(url_hex, "-") == 0 ? NULL : unhex(url_hex, &ul);
  const char *pre = "<html><body>\r\n<!--StartFragment-->";
  const char *post = "<!--EndFragment-->\r\n</body></html>";
  char header[4096];
  int hl = snprintf(header, sizeof header,
                    "Version:0.9\r\nStartHTML:%010d\r\nEndHTML:%010d\r\nStartFragment:%010d\r\n"
                    "EndFragment:%010d\r\n%s%.*s%s",
                    0, 0, 0, 0, url ? "SourceURL:" : "", (int)ul, url ? (char *)url : "",
                    url ? "\r\n" : "");
  int sh = hl, sf = sh + (int)strlen(pre), ef = sf + (int)fl, eh = ef + (int)strlen(post);
  snprintf(header, sizeof header,
           "Version:0.9\r\nStartHTML:%010d\r\nEndHTML:%010d\r\nStartFragment:%010d\r\n"
           "EndFragment:%010d\r\n%s%.*s%s",
           sh, eh, sf, ef, url ? "SourceURL:" : "", (int)ul, url ? (char *)url : "",
           url ? "\r\n" : "");
  char *all = calloc(eh + 1, 1);
  memcpy(all, header, hl);
  memcpy(all + sh, pre, strlen(pre));
  memcpy(all + sf, frag, fl);
  memcpy(all + ef, post, strlen(post));
  set_one(registered("HTML Format"), all, eh + 1);
}

static void set_image(int w, int h) {
  size_t size = sizeof(BITMAPV5HEADER) + (size_t)w * h * 4;
  unsigned char *block = calloc(size, 1);
  BITMAPV5HEADER *bh = (BITMAPV5HEADER *)block;
  bh->bV5Size = sizeof(BITMAPV5HEADER);
  bh->bV5Width = w;
  bh->bV5Height = h;  // bottom-up
  bh->bV5Planes = 1;
  bh->bV5BitCount = 32;
  bh->bV5Compression = BI_BITFIELDS;
  bh->bV5SizeImage = w * h * 4;
  bh->bV5RedMask = 0x00FF0000;
  bh->bV5GreenMask = 0x0000FF00;
  bh->bV5BlueMask = 0x000000FF;
  bh->bV5AlphaMask = 0xFF000000;
  bh->bV5CSType = 0x73524742;  // LCS_sRGB
  bh->bV5Intent = LCS_GM_IMAGES;
  unsigned char *px = block + sizeof(BITMAPV5HEADER);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      unsigned char c[4];
      pattern(x, y, c);
      unsigned char *d = px + ((size_t)(h - 1 - y) * w + x) * 4;
      d[0] = c[2];
      d[1] = c[1];
      d[2] = c[0];
      d[3] = c[3];
    }
  }
  set_one(CF_DIBV5, block, size);
}

static void get_image(void) {
  size_t n;
  unsigned char *data = get_one(CF_DIBV5, &n);
  if (!data) {
    printf("none\n");
    return;
  }
  BITMAPV5HEADER *bh = (BITMAPV5HEADER *)data;
  if (bh->bV5Size < sizeof(BITMAPV5HEADER) || bh->bV5BitCount != 32) {
    printf("bad header size %lu bits %u\n", bh->bV5Size, bh->bV5BitCount);
    exit(1);
  }
  int w = bh->bV5Width, h = bh->bV5Height < 0 ? -bh->bV5Height : bh->bV5Height;
  int top_down = bh->bV5Height < 0;
  unsigned char *px = data + bh->bV5Size;
  if (bh->bV5Compression == BI_BITFIELDS && bh->bV5RedMask != 0x00FF0000) {
    printf("bad masks\n");
    exit(1);
  }
  printf("image %d %d ", w, h);
  for (int y = 0; y < h; y++) {
    unsigned char *row = px + (size_t)(top_down ? y : h - 1 - y) * w * 4;
    for (int x = 0; x < w; x++) printf("%02x%02x%02x%02x", row[x * 4 + 2], row[x * 4 + 1], row[x * 4], row[x * 4 + 3]);
  }
  printf("\n");
}

static void set_files(const char *hex, int terminated) {
  size_t n;
  unsigned char *u = unhex(hex, &n);
  int wlen;
  wchar_t *w = to_wide((char *)u, (int)n, &wlen);
  for (int i = 0; i < wlen; i++) if (w[i] == L'\n') w[i] = 0;
  size_t size = sizeof(DROPFILES) + (wlen + (terminated ? 2 : 0)) * sizeof(wchar_t);
  unsigned char *block = calloc(size, 1);
  DROPFILES *df = (DROPFILES *)block;
  df->pFiles = sizeof(DROPFILES);
  df->fWide = TRUE;
  memcpy(block + sizeof(DROPFILES), w, wlen * sizeof(wchar_t));
  set_one(CF_HDROP, block, size);
}

static void get_files(void) {
  open_clipboard();
  HDROP drop = (HDROP)GetClipboardData(CF_HDROP);
  if (!drop) {
    CloseClipboard();
    printf("none\n");
    return;
  }
  UINT count = DragQueryFileW(drop, 0xFFFFFFFF, NULL, 0);
  wchar_t *all = calloc(65536, sizeof(wchar_t));
  int at = 0;
  for (UINT i = 0; i < count; i++) {
    if (i > 0) all[at++] = L'\n';
    at += DragQueryFileW(drop, i, all + at, 65536 - at);
  }
  CloseClipboard();
  printf("files ");
  print_wide_hex(all, at);
  printf("\n");
}

/* delay-hang: an owner that promises a format and hangs hang_ms in WM_RENDERFORMAT. */
static int hang_ms;
static LRESULT CALLBACK hang_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  if (msg == WM_RENDERFORMAT) {
    Sleep(hang_ms);
    unsigned char late[2] = {0xde, 0xad};
    SetClipboardData((UINT)wp, global_of(late, 2));
    return 0;
  }
  return DefWindowProcW(hwnd, msg, wp, lp);
}

static void delay_hang(const char *name, int hang, int live) {
  hang_ms = hang;
  WNDCLASSW wc = {0};
  wc.lpfnWndProc = hang_proc;
  wc.hInstance = GetModuleHandleW(NULL);
  wc.lpszClassName = L"winipc_peer_hang";
  if (!RegisterClassW(&wc)) fail("RegisterClassW");
  HWND hwnd = CreateWindowExW(0, L"winipc_peer_hang", L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                              wc.hInstance, NULL);
  if (!hwnd) fail("CreateWindowExW");
  if (!OpenClipboard(hwnd)) fail("OpenClipboard");
  if (!EmptyClipboard()) fail("EmptyClipboard");
  SetClipboardData(registered(name), NULL);
  CloseClipboard();
  printf("ready %lu\n", GetCurrentProcessId());
  fflush(stdout);
  DWORD end = GetTickCount() + (DWORD)live;
  while ((int)(end - GetTickCount()) > 0) {
    MSG m;
    MsgWaitForMultipleObjects(0, NULL, FALSE, end - GetTickCount(), QS_ALLINPUT);
    while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&m);
  }
  DestroyWindow(hwnd);
  printf("gone\n");
}

int main(int argc, char **argv) {
  SetConsoleOutputCP(CP_UTF8);
  const char *cmd = argc >= 2 ? argv[1] : "";
  size_t n;
  if (strcmp(cmd, "set-text") == 0 && argc >= 3) {
    unsigned char *u = unhex(argv[2], &n);
    int wlen;
    wchar_t *w = to_wide((char *)u, (int)n, &wlen);
    set_one(CF_UNICODETEXT, w, (wlen + 1) * sizeof(wchar_t));
  } else if (strcmp(cmd, "get-text") == 0) {
    unsigned char *data = get_one(CF_UNICODETEXT, &n);
    if (!data) { printf("none\n"); return 0; }
    printf("text ");
    print_wide_hex((wchar_t *)data, (int)wcsnlen((wchar_t *)data, n / 2));
    printf("\n");
  } else if (strcmp(cmd, "set-html") == 0 && argc >= 4) {
    set_html(argv[2], argv[3]);
  } else if (strcmp(cmd, "get-html") == 0) {
    get_html();
  } else if (strcmp(cmd, "set-rtf") == 0 && argc >= 3) {
    unsigned char *u = unhex(argv[2], &n);
    set_one(registered("Rich Text Format"), u, n + 1);
  } else if (strcmp(cmd, "get-rtf") == 0) {
    unsigned char *data = get_one(registered("Rich Text Format"), &n);
    if (!data) { printf("none\n"); return 0; }
    printf("rtf ");
    print_hex(data, strnlen((char *)data, n));
    printf("\n");
  } else if (strcmp(cmd, "set-files") == 0 && argc >= 3) {
    set_files(argv[2], 1);
  } else if (strcmp(cmd, "set-files-unterminated") == 0 && argc >= 3) {
    set_files(argv[2], 0);
  } else if (strcmp(cmd, "get-files") == 0) {
    get_files();
  } else if (strcmp(cmd, "set-custom") == 0 && argc >= 4) {
    unsigned char *u = unhex(argv[3], &n);
    set_one(registered(argv[2]), u, n);
  } else if (strcmp(cmd, "set-custom-file") == 0 && argc >= 4) {
    FILE *f = fopen(argv[3], "rb");
    if (!f) fail("fopen");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(size > 0 ? size : 1);
    if (size <= 0 || fread(data, 1, size, f) != (size_t)size) fail("fread");
    fclose(f);
    set_one(registered(argv[2]), data, size);
  } else if (strcmp(cmd, "get-custom") == 0 && argc >= 3) {
    unsigned char *data = get_one(registered(argv[2]), &n);
    if (!data) { printf("none\n"); return 0; }
    printf("custom ");
    print_hex(data, n);
    printf("\n");
  } else if (strcmp(cmd, "get-dword") == 0 && argc >= 3) {
    unsigned char *data = get_one(registered(argv[2]), &n);
    if (!data) { printf("none\n"); return 0; }
    DWORD value = 0;
    memcpy(&value, data, n < 4 ? n : 4);
    printf("dword %zu %lu\n", n, value);
  } else if (strcmp(cmd, "set-image") == 0 && argc >= 4) {
    set_image(atoi(argv[2]), atoi(argv[3]));
  } else if (strcmp(cmd, "get-image") == 0) {
    get_image();
  } else if (strcmp(cmd, "set-emf") == 0) {
    HDC dc = CreateEnhMetaFileW(NULL, NULL, NULL, NULL);
    if (!dc) fail("CreateEnhMetaFileW");
    Rectangle(dc, 10, 10, 200, 120);
    Ellipse(dc, 30, 30, 90, 100);
    HENHMETAFILE emf = CloseEnhMetaFile(dc);
    open_clipboard();
    if (!EmptyClipboard()) fail("EmptyClipboard");
    if (!SetClipboardData(CF_ENHMETAFILE, emf)) fail("SetClipboardData");
    CloseClipboard();
    printf("ok %lu\n", GetClipboardSequenceNumber());
  } else if (strcmp(cmd, "get-emf") == 0) {
    open_clipboard();
    HENHMETAFILE emf = (HENHMETAFILE)GetClipboardData(CF_ENHMETAFILE);
    if (!emf) { CloseClipboard(); printf("none\n"); return 0; }
    UINT size = GetEnhMetaFileBits(emf, 0, NULL);
    unsigned char *bits = malloc(size);
    GetEnhMetaFileBits(emf, size, bits);
    CloseClipboard();
    unsigned sum = 0;
    for (UINT i = 0; i < size; i++) sum = sum * 31 + bits[i];
    printf("emf %u %u\n", size, sum);
  } else if (strcmp(cmd, "formats") == 0) {
    open_clipboard();
    printf("formats ");
    UINT f = 0;
    int first = 1;
    while ((f = EnumClipboardFormats(f)) != 0) {
      char name[256] = "";
      GetClipboardFormatNameA(f, name, sizeof name);
      printf("%s%u:%s", first ? "" : ",", f, name);
      first = 0;
    }
    CloseClipboard();
    printf("\n");
  } else if (strcmp(cmd, "hold") == 0 && argc >= 3) {
    open_clipboard();
    printf("held %lu\n", GetCurrentProcessId());
    fflush(stdout);
    Sleep(atoi(argv[2]));
    CloseClipboard();
    printf("released\n");
  } else if (strcmp(cmd, "changes") == 0 && argc >= 3) {
    int k = atoi(argv[2]), gap = argc >= 4 ? atoi(argv[3]) : 0;
    DWORD first = 0, last = 0;
    for (int i = 0; i < k; i++) {
      if (i > 0 && gap > 0) Sleep(gap);
      wchar_t text[64];
      int len = swprintf(text, 64, L"change %d", i);
      open_clipboard();
      if (!EmptyClipboard()) fail("EmptyClipboard");
      HGLOBAL h = global_of(text, (len + 1) * sizeof(wchar_t));
      if (!SetClipboardData(CF_UNICODETEXT, h)) fail("SetClipboardData");
      CloseClipboard();
      last = GetClipboardSequenceNumber();
      if (i == 0) first = last;
    }
    printf("done %lu %lu\n", first, last);
  } else if (strcmp(cmd, "delay-hang") == 0 && argc >= 5) {
    delay_hang(argv[2], atoi(argv[3]), atoi(argv[4]));
  } else if (strcmp(cmd, "seq") == 0) {
    printf("seq %lu\n", GetClipboardSequenceNumber());
  } else {
    printf("bad usage\n");
    return 2;
  }
  return 0;
}
