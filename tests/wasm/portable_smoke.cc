// Links every portable layer into one wasm32-wasi executable, so the cross build proves that the
// portable code has no unresolved host-only dependencies (the sandbox issue turns this into the
// real guest). It parses a constant page, runs a selector and resolves a URL; exits 0 on success.
#include <cstdio>
#include <string>

#include "core/strings.h"
#include "core/utf8.h"
#include "extract/visible_text.h"
#include "html/parser.h"
#include "html/selector.h"
#include "url/url.h"

int main() {
  using namespace riptide;
  html::Document doc = html::parse_document(
      "<title>t</title><p class=x>Hello <b>wasm</b></p><a href='../b?q=1#f'>link</a>");
  std::string text = extract::visible_text(doc.root());
  auto selector = html::parse_selector_list("p.x > b");
  bool selected = selector.ok() && html::select_all(*selector, doc.root()).size() == 1;
  auto base = url::parse("https://Example.org/a/c");
  bool resolved = false;
  if (base.ok()) {
    auto link = url::parse("../b?q=1#f", &*base);
    resolved = link.ok() && link->href() == "https://example.org/b?q=1#f";
  }
  bool ok = str::collapse_whitespace(text) == "Hello wasm link" && utf8::is_valid(text) &&
            selected && resolved;
  std::printf("%s\n", ok ? "ok" : "mismatch");
  return ok ? 0 : 1;
}
