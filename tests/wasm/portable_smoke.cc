// Links every portable layer into one wasm32-wasi executable, so the cross build proves that the
// portable code has no unresolved host-only dependencies (the sandbox issue turns this into the
// real guest). It exercises the core helpers on a constant input and exits 0 on success.
#include <cstdio>
#include <string>

#include "core/arena.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "html/dom.h"
#include "html/tag.h"

int main() {
  riptide::Arena arena;
  std::string_view copied = arena.copy("  Hello   wasm  ");
  std::string collapsed = riptide::str::collapse_whitespace(copied);
  riptide::html::Document doc;
  riptide::html::Node* div = doc.create_element(riptide::html::Tag::kDiv, "div");
  riptide::html::append_child(doc.root(), div);
  riptide::html::append_child(div, doc.create_text(collapsed));
  std::string text = riptide::html::text_content(doc.root());
  bool ok = text == "Hello wasm" && riptide::utf8::is_valid(text) &&
            riptide::html::lookup_tag("div") == riptide::html::Tag::kDiv;
  std::printf("%s\n", ok ? "ok" : "mismatch");
  return ok ? 0 : 1;
}
