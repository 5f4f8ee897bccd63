#include "test_site.h"

#include <zlib.h>

#include <stdexcept>

#include "api_checks.h"

namespace riptide::testing {
namespace {

// How much of the bomb is compressed per deflate() call.
constexpr size_t kDeflateChunk = size_t{1} << 20;

std::string cyrillic_page_utf8(std::string_view head_extra) {
  std::string page = "<!DOCTYPE html><html lang=\"ru\"><head>";
  page += head_extra;
  page += "<title>";
  page += kCyrillicTitle;
  page += "</title></head><body><article><h1>";
  page += kCyrillicTitle;
  page += "</h1><p>";
  page += kCyrillicSentence;
  page +=
      " впервые за тридцать лет. Добровольцы обследовали двадцать участков между старой "
      "мельницей и водохранилищем и нашли свежие следы на четырнадцати из них.</p><p>Учёные "
      "говорят, что чистая вода и меньше рыболовных сетей помогли зверям вернуться. Летом "
      "обследование повторят ещё раз, чтобы понять, сколько выдр живёт в долине.</p>"
      "</article></body></html>";
  return page;
}

HttpResponse with_content_type(std::string body, std::string content_type) {
  HttpResponse response;
  response.headers.emplace_back("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

// A page that decompresses to kBombBytes (spaces after a start that sniffs as HTML); made once
// per test process, on first use.
const std::string& bomb_gzip() {
  static const std::string bomb = [] {
    std::string plain = "<html><body><p>";
    plain.resize(kBombBytes, ' ');
    return gzip(plain);
  }();
  return bomb;
}

}  // namespace

const std::string& article_html() {
  static const std::string html = read_source_file("samples/article.html");
  return html;
}

const std::string& second_html() {
  static const std::string html =
      std::string("<!DOCTYPE html><html lang=\"en\"><head><title>") + kSecondTitle +
      "</title></head><body><article><h1>" + kSecondTitle +
      "</h1><p>High water at the harbour mouth comes forty minutes after the river gauge at the "
      "old mill, and the spring tides this month reach the top of the slipway.</p><p>Boats "
      "leaving on the morning tide should clear the bar before nine; the evening tide is lower "
      "and the channel markers were moved last week.</p></article></body></html>";
  return html;
}

std::string to_windows_1251(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x80) {
      out += static_cast<char>(byte);
      ++i;
      continue;
    }
    if ((byte & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const unsigned cp = ((byte & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      i += 2;
      // windows-1251: А..я (U+0410..U+044F) are 0xC0..0xFF in order; Ё 0xA8, ё 0xB8.
      if (cp >= 0x410 && cp <= 0x44F) {
        out += static_cast<char>(0xC0 + (cp - 0x410));
      } else if (cp == 0x401) {
        out += static_cast<char>(0xA8);
      } else if (cp == 0x451) {
        out += static_cast<char>(0xB8);
      } else {
        out += '?';
      }
      continue;
    }
    out += '?';
    ++i;
    while (i < utf8.size() && (static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

std::string gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  std::string buffer(kDeflateChunk, '\0');
  size_t offset = 0;
  int status = Z_OK;
  do {
    const size_t take = std::min(kDeflateChunk, data.size() - offset);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
    stream.avail_in = static_cast<uInt>(take);
    offset += take;
    const int flush = offset == data.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
      stream.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&stream, flush);
      out.append(buffer.data(), buffer.size() - stream.avail_out);
    } while (stream.avail_out == 0);
  } while (status != Z_STREAM_END);
  deflateEnd(&stream);
  return out;
}

void add_test_site_routes(TestHttpServer& site) {
  site.route("/article", [](const HttpRequest&) { return html_response(article_html()); });
  site.route("/second", [](const HttpRequest&) { return html_response(second_html()); });

  // Three hops with three statuses; the middle Location is relative ("3" from /redirect/2).
  site.route("/redirect/1",
             [](const HttpRequest&) { return redirect_response(302, "/redirect/2"); });
  site.route("/redirect/2", [](const HttpRequest&) { return redirect_response(301, "3"); });
  site.route("/redirect/3", [](const HttpRequest&) { return redirect_response(307, "/article"); });

  const std::string gzipped = gzip(article_html());
  site.route("/gzip", [gzipped](const HttpRequest&) {
    HttpResponse response = html_response(gzipped);
    response.headers.emplace_back("Content-Encoding", "gzip");
    return response;
  });
  const std::string& bomb = bomb_gzip();
  site.route("/bomb", [&bomb](const HttpRequest&) {
    HttpResponse response = html_response(bomb);
    response.headers.emplace_back("Content-Encoding", "gzip");
    return response;
  });

  const std::string cp1251 = to_windows_1251(cyrillic_page_utf8(""));
  site.route("/cp1251", [cp1251](const HttpRequest&) {
    return html_response(cp1251, 200, "text/html; charset=windows-1251");
  });
  const std::string cp1251_meta =
      to_windows_1251(cyrillic_page_utf8("<meta charset=\"windows-1251\">"));
  site.route("/cp1251-meta", [cp1251_meta](const HttpRequest&) {
    return html_response(cp1251_meta, 200, "text/html");
  });

  site.route("/slow", [](const HttpRequest&) {
    HttpResponse response = html_response(second_html());
    response.delay = kSlowPageDelay;
    return response;
  });
  site.route("/hang", [](const HttpRequest&) {
    HttpResponse response = html_response(second_html());
    response.delay = kHangingPageDelay;
    return response;
  });
  site.route("/pdf", [](const HttpRequest&) {
    return with_content_type("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
                             "application/pdf");
  });
  site.route("/missing", [](const HttpRequest&) {
    return html_response("<html><body><h1>Not here</h1></body></html>", 404);
  });
  const std::string other_loopback = "http://127.0.0.2:" + std::to_string(site.port()) + "/article";
  site.route("/to-other-loopback", [other_loopback](const HttpRequest&) {
    return redirect_response(302, other_loopback);
  });
}

ServeOptions site_fetching_options() {
  ServeOptions options;
  options.keys = {{.name = "user"}};
  options.args = {"--allow-cidr", "127.0.0.1/32"};
  options.env = {{"RIPTIDE_FETCH_TOTAL_TIMEOUT_MS", std::to_string(kTestFetchTimeout.count())}};
  return options;
}

std::unique_ptr<TestHttpServer>& SiteFixture::suite_site() {
  static std::unique_ptr<TestHttpServer> site;
  return site;
}

void SiteFixture::start_site_and_server(const ServeOptions& options) {
  suite_site() = std::make_unique<TestHttpServer>();
  add_test_site_routes(*suite_site());
  start_suite_server(options);
}

void SiteFixture::TearDownTestSuite() {
  ServeFixture::TearDownTestSuite();
  suite_site().reset();
}

void SiteFixture::SetUp() {
  ServeFixture::SetUp();
  if (suite_site() != nullptr) suite_site()->clear_log();
}

}  // namespace riptide::testing
