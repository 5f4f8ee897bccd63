// The libcurl fetcher (fetch/fetcher.h) against the local test site: redirects, decoding,
// limits, timeouts, content types, charsets, Retry-After, the SSRF guard and metrics.
#include "fetch/fetcher.h"

#include <brotli/encode.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/site_fetch_config.h"
#include "tests/support/test_http_server.h"

namespace riptide::fetch {
namespace {

using std::chrono::milliseconds;
using testing::html_response;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::redirect_response;
using testing::TestHttpServer;

constexpr const char* kPage = "<!doctype html><title>t</title><p>hello</p>";

// The test site is on 127.0.0.1; only that one address is admitted.
FetchConfig site_config() {
  return testing::site_fetch_config();
}

// zlib's deflate with a gzip (windowBits 31) or zlib (15) wrapper: Content-Encoding gzip / deflate.
std::string zlib_compress(const std::string& data, int window_bits) {
  z_stream stream{};
  EXPECT_EQ(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

HttpResponse encoded(std::string body, const char* encoding) {
  HttpResponse response = html_response(std::move(body));
  response.headers.emplace_back("Content-Encoding", encoding);
  return response;
}

TEST(Fetcher, FetchesAnHtmlPageWithARealUserAgent) {
  TestHttpServer site;
  site.route("/page", [](const HttpRequest&) { return html_response(kPage); });
  Fetcher fetcher(site_config());
  Result<FetchResponse> page = fetcher.fetch(site.url("/page"));
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->html, kPage);
  EXPECT_EQ(page->url, site.url("/page"));
  EXPECT_EQ(page->final_url, site.url("/page"));
  EXPECT_TRUE(page->redirects.empty());
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page->encoding, "UTF-8");
  EXPECT_EQ(page->encoding_source, "http");
  EXPECT_EQ(page->body_bytes, std::string(kPage).size());
  EXPECT_GT(page->elapsed_ms, 0);

  std::vector<HttpRequest> log = site.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_NE(log[0].header("User-Agent").find("riptide/"), std::string::npos);
  EXPECT_EQ(log[0].header("Accept").rfind("text/html,", 0), 0u);
  EXPECT_NE(log[0].header("Accept-Encoding").find("gzip"), std::string::npos);
}

TEST(Fetcher, ReusesTheConnectionAcrossFetches) {
  TestHttpServer site;
  site.route("/page", [](const HttpRequest&) { return html_response(kPage); });
  Fetcher fetcher(site_config());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fetcher.fetch(site.url("/page")).ok());
  EXPECT_EQ(site.request_count(), 3u);
  EXPECT_EQ(site.connection_count(), 1u);
}

TEST(Fetcher, ServesManyThreadsAtOnce) {
  TestHttpServer site;
  site.set_fallback([](const HttpRequest& request) { return html_response("<p>" + request.path); });
  Fetcher fetcher(site_config());
  constexpr int kThreads = 4;
  constexpr int kFetchesPerThread = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFetchesPerThread; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        Result<FetchResponse> page = fetcher.fetch(site.url(path));
        if (page.ok() && page->html == "<p>" + path) ++good;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good.load(), kThreads * kFetchesPerThread);
  // Each thread keeps its own handle and with it one keep-alive connection.
  EXPECT_EQ(site.connection_count(), static_cast<size_t>(kThreads));
}

TEST(Fetcher, FollowsARedirectChain) {
  TestHttpServer site;
  site.route("/r1", [](const HttpRequest&) { return redirect_response(301, "r2?x=1"); });
  site.route("/r2", [&](const HttpRequest&) { return redirect_response(302, site.url("/r3")); });
  site.route("/r3", [](const HttpRequest&) { return redirect_response(307, "/final#part"); });
  site.route("/final", [](const HttpRequest&) { return html_response(kPage); });
  Fetcher fetcher(site_config());
  Result<FetchResponse> page = fetcher.fetch(site.url("/r1"));
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->html, kPage);
  EXPECT_EQ(page->url, site.url("/r1"));
  EXPECT_EQ(page->final_url, site.url("/final#part"));
  EXPECT_EQ(page->redirects, (std::vector<std::string>{site.url("/r2?x=1"), site.url("/r3"),
                                                       site.url("/final#part")}));
  EXPECT_EQ(site.requests_for("/r2")[0].target, "/r2?x=1");
  EXPECT_EQ(site.requests_for("/final")[0].target, "/final");  // the fragment is not sent
}

// /hop/N redirects to /hop/N+1 until `last`, which serves the page.
void serve_hops(TestHttpServer& site, int last) {
  site.set_fallback([last](const HttpRequest& request) {
    int n = std::stoi(request.path.substr(5));
    if (n == last) return html_response(kPage);
    return redirect_response(302, "/hop/" + std::to_string(n + 1));
  });
}

TEST(Fetcher, FollowsUpToMaxRedirects) {
  TestHttpServer site;
  serve_hops(site, 10);
  Fetcher fetcher(site_config());
  Result<FetchResponse> page = fetcher.fetch(site.url("/hop/0"));
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->redirects.size(), 10u);
  EXPECT_EQ(page->final_url, site.url("/hop/10"));
}

TEST(Fetcher, MoreThanMaxRedirectsFails) {
  TestHttpServer site;
  serve_hops(site, 11);
  Fetcher fetcher(site_config());
  Result<FetchResponse> page = fetcher.fetch(site.url("/hop/0"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kFetchFailed);
  EXPECT_NE(page.error().message().find("too many redirects (more than 10)"), std::string::npos);
  EXPECT_TRUE(is_too_many_redirects(page.error()));
  EXPECT_EQ(site.request_count(), 11u);  // /hop/0 .. /hop/10; /hop/11 is never requested

  FetchConfig strict = site_config();
  strict.max_redirects = 2;
  site.clear_log();
  Result<FetchResponse> short_chain = Fetcher(strict).fetch(site.url("/hop/0"));
  ASSERT_FALSE(short_chain.ok());
  EXPECT_EQ(site.request_count(), 3u);
}

TEST(Fetcher, DetectsARedirectLoop) {
  TestHttpServer site;
  site.route("/a", [](const HttpRequest&) { return redirect_response(302, "/b"); });
  site.route("/b", [](const HttpRequest&) { return redirect_response(302, "/a#again"); });
  Fetcher fetcher(site_config());
  Result<FetchResponse> page = fetcher.fetch(site.url("/a"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kFetchFailed);
  EXPECT_NE(page.error().message().find("redirect loop"), std::string::npos);
  EXPECT_FALSE(is_too_many_redirects(page.error()));  // robots.txt treats a loop as unreachable
  EXPECT_EQ(site.request_count(), 2u);
}

TEST(Fetcher, DecodesGzipAndDeflate) {
  std::string body = std::string(kPage) + std::string(10'000, 'x');
  TestHttpServer site;
  site.route("/gzip", [&](const HttpRequest&) { return encoded(zlib_compress(body, 31), "gzip"); });
  site.route("/deflate",
             [&](const HttpRequest&) { return encoded(zlib_compress(body, 15), "deflate"); });
  Fetcher fetcher(site_config());
  for (const char* path : {"/gzip", "/deflate"}) {
    Result<FetchResponse> page = fetcher.fetch(site.url(path));
    ASSERT_TRUE(page.ok()) << path << ": " << page.error().to_string();
    EXPECT_EQ(page->html, body) << path;
    EXPECT_EQ(page->body_bytes, body.size()) << path;
  }
}

TEST(Fetcher, DecodesBrotliWhenLibcurlHasIt) {
  if ((curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_BROTLI) == 0) {
    GTEST_SKIP() << "this libcurl has no brotli";
  }
  std::string body = std::string(kPage) + std::string(10'000, 'y');
  std::string compressed(BrotliEncoderMaxCompressedSize(body.size()), '\0');
  size_t size = compressed.size();
  ASSERT_TRUE(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                    BROTLI_DEFAULT_MODE, body.size(),
                                    reinterpret_cast<const uint8_t*>(body.data()), &size,
                                    reinterpret_cast<uint8_t*>(compressed.data())));
  compressed.resize(size);
  TestHttpServer site;
  site.route("/br", [&](const HttpRequest&) { return encoded(compressed, "br"); });
  Result<FetchResponse> page = Fetcher(site_config()).fetch(site.url("/br"));
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->html, body);
  EXPECT_NE(site.requests()[0].header("Accept-Encoding").find("br"), std::string::npos);
}

TEST(Fetcher, StopsAZipBombAtTheDecodedSizeCap) {
  // 50 MiB of zeros compress to about 50 KiB: far under the wire cap, far over the body cap.
  std::string bomb = zlib_compress(std::string(size_t{50} << 20, '\0'), 31);
  ASSERT_LT(bomb.size(), size_t{100} << 10);
  TestHttpServer site;
  site.route("/bomb", [&](const HttpRequest&) { return encoded(bomb, "gzip"); });
  Fetcher fetcher(site_config());
  auto start = std::chrono::steady_clock::now();
  Result<FetchResponse> page = fetcher.fetch(site.url("/bomb"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kResourceLimit);
  EXPECT_NE(page.error().message().find("body exceeds 10485760 bytes after decompression"),
            std::string::npos)
      << page.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Fetcher, StopsABodyOverTheWireCap) {
  TestHttpServer site;
  site.route("/big", [](const HttpRequest&) { return html_response(std::string(5000, 'a')); });
  FetchConfig config = site_config();
  config.max_wire_bytes = 1000;
  Result<FetchResponse> page = Fetcher(config).fetch(site.url("/big"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kResourceLimit);
  EXPECT_NE(page.error().message().find("1000 bytes"), std::string::npos);
}

TEST(Fetcher, StopsAChunkedBodyOverTheWireCap) {
  // No Content-Length, so only the bytes as they arrive can be counted.
  TestHttpServer site;
  site.route("/chunked", [](const HttpRequest&) {
    HttpResponse response = html_response(std::string(5000, 'a'));
    response.chunked = true;
    response.dribble_bytes = 500;
    return response;
  });
  FetchConfig config = site_config();
  Result<FetchResponse> whole = Fetcher(config).fetch(site.url("/chunked"));
  ASSERT_TRUE(whole.ok()) << whole.error().to_string();
  EXPECT_EQ(whole->html, std::string(5000, 'a'));
  config.max_wire_bytes = 1000;
  Result<FetchResponse> page = Fetcher(config).fetch(site.url("/chunked"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kResourceLimit);
  EXPECT_NE(page.error().message().find("exceeds 1000 bytes as received"), std::string::npos)
      << page.error().message();
}

TEST(Fetcher, ReportsBrokenConnectionsAsFetchFailed) {
  TestHttpServer site;
  site.route("/drop", [](const HttpRequest&) {
    HttpResponse response;
    response.close_without_response = true;
    return response;
  });
  Fetcher fetcher(site_config());
  Result<FetchResponse> dropped = fetcher.fetch(site.url("/drop"));
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.error().code(), ErrorCode::kFetchFailed) << dropped.error().to_string();
  EXPECT_NE(dropped.error().message().find(site.url("/drop")), std::string::npos);

  // TLS to a plain-HTTP port: the handshake fails.
  std::string https = "https://127.0.0.1:" + std::to_string(site.port()) + "/";
  Result<FetchResponse> tls = fetcher.fetch(https);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().code(), ErrorCode::kFetchFailed) << tls.error().to_string();
}

TEST(Fetcher, DecodesLegacyEncodingsToUtf8) {
  TestHttpServer site;
  // "Привет" in windows-1251, declared by the Content-Type header.
  site.route("/cp1251", [](const HttpRequest&) {
    return html_response("<p>\xCF\xF0\xE8\xE2\xE5\xF2</p>", 200, "text/html; charset=windows-1251");
  });
  // "日本" in Shift_JIS, declared only by <meta charset>.
  site.route("/sjis", [](const HttpRequest&) {
    return html_response("<meta charset=\"Shift_JIS\"><p>\x93\xFA\x96\x7B</p>", 200, "text/html");
  });
  Fetcher fetcher(site_config());
  Result<FetchResponse> cyrillic = fetcher.fetch(site.url("/cp1251"));
  ASSERT_TRUE(cyrillic.ok()) << cyrillic.error().to_string();
  EXPECT_EQ(cyrillic->html, "<p>Привет</p>");
  EXPECT_EQ(cyrillic->encoding, "windows-1251");
  EXPECT_EQ(cyrillic->encoding_source, "http");
  Result<FetchResponse> japanese = fetcher.fetch(site.url("/sjis"));
  ASSERT_TRUE(japanese.ok()) << japanese.error().to_string();
  EXPECT_EQ(japanese->html, "<meta charset=\"Shift_JIS\"><p>日本</p>");
  EXPECT_EQ(japanese->encoding, "Shift_JIS");
  EXPECT_EQ(japanese->encoding_source, "meta");
}

TEST(Fetcher, SlowPagesHitTheTotalTimeout) {
  TestHttpServer site;
  site.route("/late", [](const HttpRequest&) {
    HttpResponse response = html_response(kPage);
    response.delay = milliseconds(3'000);
    return response;
  });
  // Headers at once, then one byte every 100 ms: only a total timeout stops this.
  site.route("/dribble", [](const HttpRequest&) {
    HttpResponse response = html_response(std::string(100, 'x'));
    response.dribble_bytes = 1;
    response.dribble_interval = milliseconds(100);
    return response;
  });
  FetchConfig config = site_config();
  config.total_timeout = milliseconds(300);
  Fetcher fetcher(config);
  for (const char* path : {"/late", "/dribble"}) {
    auto start = std::chrono::steady_clock::now();
    Result<FetchResponse> page = fetcher.fetch(site.url(path));
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(page.ok()) << path;
    EXPECT_EQ(page.error().code(), ErrorCode::kTimeout) << page.error().to_string();
    EXPECT_GE(elapsed, milliseconds(290)) << path;
    EXPECT_LT(elapsed, milliseconds(1'500)) << path;
  }
}

TEST(Fetcher, RefusesContentThatIsNotHtml) {
  TestHttpServer site;
  site.route("/doc.pdf", [](const HttpRequest&) {
    return html_response("%PDF-1.7\n...", 200, "application/pdf");
  });
  site.route("/untyped.pdf", [](const HttpRequest&) { return html_response("%PDF-1.7", 200, ""); });
  site.route("/untyped.html",
             [](const HttpRequest&) { return html_response("\n  <HTML><p>x</p>", 200, ""); });
  site.route("/page.xhtml", [](const HttpRequest&) {
    return html_response("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>", 200,
                         "Application/XHTML+XML; charset=utf-8");
  });
  Fetcher fetcher(site_config());
  Result<FetchResponse> pdf = fetcher.fetch(site.url("/doc.pdf"));
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code(), ErrorCode::kUnsupportedContentType);
  EXPECT_NE(pdf.error().message().find("unsupported content type application/pdf"),
            std::string::npos);
  EXPECT_NE(pdf.error().message().find(site.url("/doc.pdf")), std::string::npos);

  Result<FetchResponse> untyped_pdf = fetcher.fetch(site.url("/untyped.pdf"));
  ASSERT_FALSE(untyped_pdf.ok());
  EXPECT_EQ(untyped_pdf.error().code(), ErrorCode::kUnsupportedContentType);

  Result<FetchResponse> sniffed = fetcher.fetch(site.url("/untyped.html"));
  ASSERT_TRUE(sniffed.ok()) << sniffed.error().to_string();
  EXPECT_EQ(sniffed->html, "\n  <HTML><p>x</p>");
  EXPECT_TRUE(fetcher.fetch(site.url("/page.xhtml")).ok());
}

TEST(Fetcher, ReturnsErrorStatusesWithoutHtml) {
  TestHttpServer site;  // every path is a 404 by default
  site.route("/busy", [](const HttpRequest&) {
    HttpResponse response = html_response("slow down", 429);
    response.headers.emplace_back("Retry-After", "120");
    return response;
  });
  site.route("/down", [](const HttpRequest&) {
    char date[64];
    time_t later = std::time(nullptr) + 60;
    tm parts;
    gmtime_r(&later, &parts);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    HttpResponse response = html_response("maintenance", 503);
    response.headers.emplace_back("Retry-After", date);
    return response;
  });
  Fetcher fetcher(site_config());
  Result<FetchResponse> missing = fetcher.fetch(site.url("/missing"));
  ASSERT_TRUE(missing.ok()) << missing.error().to_string();
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(missing->html.empty());
  EXPECT_GT(missing->body_bytes, 0u);

  Result<FetchResponse> busy = fetcher.fetch(site.url("/busy"));
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(busy->status, 429);
  EXPECT_EQ(busy->retry_after_seconds, 120u);
  EXPECT_TRUE(busy->html.empty());

  Result<FetchResponse> down = fetcher.fetch(site.url("/down"));
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->status, 503);
  EXPECT_GE(down->retry_after_seconds, 55u);
  EXPECT_LE(down->retry_after_seconds, 60u);
}

TEST(Fetcher, DefaultConfigRefusesInternalAddressesWithoutConnecting) {
  TestHttpServer site;
  std::string port = std::to_string(site.port());
  Fetcher fetcher{FetchConfig{}};
  for (const std::string& url :
       {"http://127.0.0.1:" + port + "/", "http://localhost:" + port + "/",
        "http://[::1]:" + port + "/", "http://10.1.2.3:" + port + "/",
        std::string("http://169.254.169.254/latest/meta-data/"), "http://0x7f000001:" + port + "/",
        "http://[::ffff:127.0.0.1]:" + port + "/"}) {
    auto start = std::chrono::steady_clock::now();
    Result<FetchResponse> page = fetcher.fetch(url);
    ASSERT_FALSE(page.ok()) << url;
    EXPECT_EQ(page.error().code(), ErrorCode::kBlockedAddress) << page.error().to_string();
    EXPECT_NE(page.error().message().find("refused to connect"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1'000)) << url;
  }
  EXPECT_EQ(site.request_count(), 0u);
  EXPECT_EQ(site.connection_count(), 0u);
}

TEST(Fetcher, AllowPrivateNetworksAdmitsTheSite) {
  TestHttpServer site;
  site.route("/", [](const HttpRequest&) { return html_response(kPage); });
  FetchConfig config;
  config.allow_private_networks = true;
  Result<FetchResponse> page = Fetcher(config).fetch(site.url("/"));
  ASSERT_TRUE(page.ok()) << page.error().to_string();
}

TEST(Fetcher, ChecksEveryRedirectHop) {
  TestHttpServer site;
  std::string port = std::to_string(site.port());
  site.route("/to-other-loopback", [&](const HttpRequest&) {
    return redirect_response(302, "http://127.0.0.2:" + port + "/");
  });
  site.route("/to-file",
             [](const HttpRequest&) { return redirect_response(302, "file:///etc/passwd"); });
  site.route("/to-gopher",
             [](const HttpRequest&) { return redirect_response(301, "gopher://127.0.0.1:70/"); });
  site.route("/to-garbage",
             [](const HttpRequest&) { return redirect_response(302, "http://[::1"); });
  Fetcher fetcher(site_config());

  Result<FetchResponse> other = fetcher.fetch(site.url("/to-other-loopback"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kBlockedAddress) << other.error().to_string();
  EXPECT_NE(other.error().message().find("127.0.0.2"), std::string::npos);

  for (const char* path : {"/to-file", "/to-gopher"}) {
    Result<FetchResponse> page = fetcher.fetch(site.url(path));
    ASSERT_FALSE(page.ok()) << path;
    EXPECT_EQ(page.error().code(), ErrorCode::kFetchFailed) << page.error().to_string();
    EXPECT_NE(page.error().message().find("is not http or https"), std::string::npos);
  }
  Result<FetchResponse> garbage = fetcher.fetch(site.url("/to-garbage"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code(), ErrorCode::kFetchFailed);
  EXPECT_NE(garbage.error().message().find("invalid redirect Location"), std::string::npos);
}

TEST(Fetcher, RejectsBadUrlsAndBadConfiguration) {
  Fetcher fetcher{FetchConfig{}};
  for (const char* url : {"", "not a url", "http://", "ftp://example.com/", "file:///etc/passwd",
                          "javascript:alert(1)", "http://exa mple.com/"}) {
    Result<FetchResponse> page = fetcher.fetch(url);
    ASSERT_FALSE(page.ok()) << url;
    EXPECT_EQ(page.error().code(), ErrorCode::kInvalidArgument) << url;
  }
  FetchConfig bad;
  bad.allow_cidrs = {"127.0.0.1/33"};
  EXPECT_FALSE(bad.validate().ok());
  Result<FetchResponse> page = Fetcher(bad).fetch("http://example.com/");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(page.error().message().find("127.0.0.1/33"), std::string::npos);
}

TEST(Fetcher, CountsOutcomesInTheRegistry) {
  TestHttpServer site;
  site.route("/page", [](const HttpRequest&) { return html_response(kPage); });
  site.route("/doc.pdf",
             [](const HttpRequest&) { return html_response("%PDF", 200, "application/pdf"); });
  auto registry = std::make_shared<prometheus::Registry>();
  Fetcher fetcher(site_config(), registry);
  ASSERT_TRUE(fetcher.fetch(site.url("/page")).ok());
  ASSERT_TRUE(fetcher.fetch(site.url("/page")).ok());
  ASSERT_TRUE(fetcher.fetch(site.url("/missing")).ok());
  ASSERT_FALSE(fetcher.fetch(site.url("/doc.pdf")).ok());
  ASSERT_FALSE(fetcher.fetch("http://10.0.0.1/").ok());

  std::map<std::string, double> counts;
  uint64_t observations = 0;
  for (const prometheus::MetricFamily& family : registry->Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (family.name == "riptide_fetch_total") {
        counts[metric.label.at(0).value] = metric.counter.value;
      } else if (family.name == "riptide_fetch_duration_seconds") {
        observations = metric.histogram.sample_count;
      }
    }
  }
  EXPECT_EQ(counts["ok"], 2);
  EXPECT_EQ(counts["http_error"], 1);
  EXPECT_EQ(counts["unsupported_type"], 1);
  EXPECT_EQ(counts["blocked"], 1);
  EXPECT_EQ(counts["timeout"], 0);
  EXPECT_EQ(observations, 5u);
}

// ---- Per-call options (FetchOptions): raw bodies, cancel, limit overrides, truncation ----

FetchOptions raw_options() {
  FetchOptions options;
  options.raw = true;
  return options;
}

TEST(FetcherRaw, ReturnsATextPlainRobotsFileUnconverted) {
  // Not UTF-8 (\xE9 is Latin-1): raw bodies are never charset-converted.
  const std::string robots = "User-agent: *\r\nDisallow: /caf\xE9\r\n";
  TestHttpServer site;
  site.route("/robots.txt",
             [&](const HttpRequest&) { return html_response(robots, 200, "text/plain"); });
  Fetcher fetcher(site_config());
  Result<FetchResponse> raw = fetcher.fetch(site.url("/robots.txt"), raw_options());
  ASSERT_TRUE(raw.ok()) << raw.error().to_string();
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(raw->body, robots);
  EXPECT_EQ(raw->body_bytes, robots.size());
  EXPECT_EQ(raw->content_type, "text/plain");
  EXPECT_TRUE(raw->html.empty());
  EXPECT_TRUE(raw->encoding.empty());
  EXPECT_FALSE(raw->truncated);
  // Without raw the same file is still refused: the page fetch is unchanged.
  Result<FetchResponse> page = fetcher.fetch(site.url("/robots.txt"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kUnsupportedContentType);
}

TEST(FetcherRaw, ReturnsXmlAndHtmlBodiesAsIs) {
  const std::string xml = "<?xml version=\"1.0\"?><urlset><url><loc>http://a/</loc></url></urlset>";
  TestHttpServer site;
  site.route("/sitemap.xml",
             [&](const HttpRequest&) { return html_response(xml, 200, "application/xml"); });
  site.route("/page", [](const HttpRequest&) { return html_response(kPage); });
  Fetcher fetcher(site_config());
  Result<FetchResponse> sitemap = fetcher.fetch(site.url("/sitemap.xml"), raw_options());
  ASSERT_TRUE(sitemap.ok()) << sitemap.error().to_string();
  EXPECT_EQ(sitemap->body, xml);
  // An HTML page fetched raw comes back in `body`, not decoded into `html`.
  Result<FetchResponse> page = fetcher.fetch(site.url("/page"), raw_options());
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->body, kPage);
  EXPECT_TRUE(page->html.empty());
}

TEST(FetcherRaw, DecodesContentEncodingButNotAGzipFile) {
  const std::string xml = "<urlset>" + std::string(5'000, ' ') + "</urlset>";
  const std::string gzipped = zlib_compress(xml, 31);
  TestHttpServer site;
  // sitemap.xml.gz: the file itself is gzip; the HTTP layer does not know or care.
  site.route("/sitemap.xml.gz",
             [&](const HttpRequest&) { return html_response(gzipped, 200, "application/gzip"); });
  // The same bytes as a transfer encoding of an XML document.
  site.route("/sitemap.xml", [&](const HttpRequest&) {
    HttpResponse response = html_response(gzipped, 200, "application/xml");
    response.headers.emplace_back("Content-Encoding", "gzip");
    return response;
  });
  Fetcher fetcher(site_config());
  Result<FetchResponse> file = fetcher.fetch(site.url("/sitemap.xml.gz"), raw_options());
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(file->body, gzipped);
  Result<FetchResponse> encoded_xml = fetcher.fetch(site.url("/sitemap.xml"), raw_options());
  ASSERT_TRUE(encoded_xml.ok()) << encoded_xml.error().to_string();
  EXPECT_EQ(encoded_xml->body, xml);
}

TEST(FetcherRaw, ReturnsTheBodyOfErrorStatuses) {
  TestHttpServer site;
  site.route("/gone", [](const HttpRequest&) {
    HttpResponse response = html_response("no such file", 404, "text/plain");
    return response;
  });
  site.route("/busy", [](const HttpRequest&) {
    HttpResponse response = html_response("later", 503, "text/plain");
    response.headers.emplace_back("Retry-After", "120");
    return response;
  });
  Fetcher fetcher(site_config());
  Result<FetchResponse> gone = fetcher.fetch(site.url("/gone"), raw_options());
  ASSERT_TRUE(gone.ok()) << gone.error().to_string();
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(gone->body, "no such file");
  Result<FetchResponse> busy = fetcher.fetch(site.url("/busy"), raw_options());
  ASSERT_TRUE(busy.ok()) << busy.error().to_string();
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->body, "later");
  EXPECT_EQ(busy->retry_after_seconds, 120u);
}

// Sets `flag` after `after` on its own thread; joins on destruction.
class DelayedCancel {
 public:
  DelayedCancel(std::atomic<bool>& flag, milliseconds after)
      : thread_([this, &flag, after] {
          std::this_thread::sleep_for(after);
          set_at_ = std::chrono::steady_clock::now();
          flag.store(true);
        }) {}
  ~DelayedCancel() { join(); }
  DelayedCancel(const DelayedCancel&) = delete;
  DelayedCancel& operator=(const DelayedCancel&) = delete;

  // When the flag was set (joins first).
  std::chrono::steady_clock::time_point set_at() {
    join();
    return set_at_;
  }

 private:
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::chrono::steady_clock::time_point set_at_;
  std::thread thread_;
};

TEST(FetcherOptions, CancelStopsATransferPromptly) {
  TestHttpServer site;
  // Headers at once, then one byte every 20 ms for 4 s.
  site.route("/dribble", [](const HttpRequest&) {
    HttpResponse response = html_response(std::string(200, 'x'), 200, "text/plain");
    response.dribble_bytes = 1;
    response.dribble_interval = milliseconds(20);
    return response;
  });
  // Nothing at all for 5 s: only the wait between socket checks can notice the flag.
  site.route("/silent", [](const HttpRequest&) {
    HttpResponse response = html_response("late", 200, "text/plain");
    response.delay = milliseconds(5'000);
    return response;
  });
  Fetcher fetcher(site_config());
  for (const char* path : {"/dribble", "/silent"}) {
    std::atomic<bool> cancel{false};
    FetchOptions options = raw_options();
    options.cancel = &cancel;
    DelayedCancel canceller(cancel, milliseconds(200));
    Result<FetchResponse> page = fetcher.fetch(site.url(path), options);
    auto returned = std::chrono::steady_clock::now();
    ASSERT_FALSE(page.ok()) << path;
    EXPECT_EQ(page.error().code(), ErrorCode::kTimeout) << page.error().to_string();
    EXPECT_NE(page.error().message().find("cancelled"), std::string::npos)
        << page.error().to_string();
    EXPECT_LT(returned - canceller.set_at(), milliseconds(300)) << path;
  }
  // A flag already set stops the fetch before any request.
  site.clear_log();
  std::atomic<bool> cancelled{true};
  FetchOptions options;
  options.cancel = &cancelled;
  Result<FetchResponse> page = fetcher.fetch(site.url("/dribble"), options);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(site.request_count(), 0u);
  // A flag that stays false changes nothing.
  site.route("/page", [](const HttpRequest&) { return html_response(kPage); });
  std::atomic<bool> never{false};
  options.cancel = &never;
  Result<FetchResponse> whole = fetcher.fetch(site.url("/page"), options);
  ASSERT_TRUE(whole.ok()) << whole.error().to_string();
  EXPECT_EQ(whole->html, kPage);
}

TEST(FetcherOptions, MaxRedirectsOverridesTheConfigPerCall) {
  TestHttpServer site;
  serve_hops(site, 6);
  Fetcher fetcher(site_config());  // 10 redirects allowed by the config
  FetchOptions five = raw_options();
  five.max_redirects = 5;
  Result<FetchResponse> over = fetcher.fetch(site.url("/hop/0"), five);
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(is_too_many_redirects(over.error())) << over.error().to_string();
  EXPECT_NE(over.error().message().find("more than 5"), std::string::npos);
  EXPECT_EQ(site.request_count(), 6u);  // /hop/0 .. /hop/5

  // Upwards too: a config allowing one redirect, a call allowing six.
  FetchConfig strict = site_config();
  strict.max_redirects = 1;
  FetchOptions six;
  six.max_redirects = 6;
  Result<FetchResponse> page = Fetcher(strict).fetch(site.url("/hop/0"), six);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->redirects.size(), 6u);
  EXPECT_EQ(page->final_url, site.url("/hop/6"));
}

TEST(FetcherOptions, MaxBodyBytesOverridesTheConfigPerCall) {
  TestHttpServer site;
  site.route("/big", [](const HttpRequest&) { return html_response(std::string(5'000, 'a')); });
  Fetcher fetcher(site_config());
  FetchOptions small;
  small.max_body_bytes = 1'000;
  Result<FetchResponse> page = fetcher.fetch(site.url("/big"), small);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kResourceLimit);
  EXPECT_NE(page.error().message().find("1000 bytes after decompression"), std::string::npos)
      << page.error().message();

  FetchConfig tight = site_config();
  tight.max_body_bytes = 1'000;
  tight.max_wire_bytes = 1'000;
  FetchOptions larger;
  larger.max_body_bytes = 10'000;
  larger.max_wire_bytes = 10'000;
  Result<FetchResponse> whole = Fetcher(tight).fetch(site.url("/big"), larger);
  ASSERT_TRUE(whole.ok()) << whole.error().to_string();
  EXPECT_EQ(whole->html.size(), 5'000u);
}

TEST(FetcherOptions, TruncateBodyCutsInsteadOfFailing) {
  constexpr size_t kCap = 500 * 1024;  // robots.txt's RFC 9309 minimum
  std::string big;
  for (int line = 0; big.size() < 700 * 1024; ++line) {
    big += "Disallow: /private/" + std::to_string(line) + "\n";
  }
  TestHttpServer site;
  site.route("/robots.txt",
             [&](const HttpRequest&) { return html_response(big, 200, "text/plain"); });
  site.route("/chunked.txt", [&](const HttpRequest&) {
    HttpResponse response = html_response(big, 200, "text/plain");
    response.chunked = true;
    response.dribble_bytes = 64 * 1024;
    return response;
  });
  site.route("/gzip.txt", [&](const HttpRequest&) {
    HttpResponse response = html_response(zlib_compress(big, 31), 200, "text/plain");
    response.headers.emplace_back("Content-Encoding", "gzip");
    return response;
  });
  site.route("/small.txt", [&](const HttpRequest&) {
    return html_response("Disallow: /x\n", 200, "text/plain");
  });
  // A wire cap below the Content-Length: a body that is cut anyway is not refused for it.
  FetchConfig config = site_config();
  config.max_wire_bytes = 600 * 1024;
  Fetcher fetcher(config);
  FetchOptions options = raw_options();
  options.max_body_bytes = kCap;
  options.truncate_body = true;
  for (const char* path : {"/robots.txt", "/chunked.txt", "/gzip.txt"}) {
    Result<FetchResponse> robots = fetcher.fetch(site.url(path), options);
    ASSERT_TRUE(robots.ok()) << path << ": " << robots.error().to_string();
    EXPECT_EQ(robots->status, 200) << path;
    EXPECT_TRUE(robots->truncated) << path;
    EXPECT_EQ(robots->body_bytes, kCap) << path;
    EXPECT_EQ(robots->body, big.substr(0, kCap)) << path;
  }
  Result<FetchResponse> small = fetcher.fetch(site.url("/small.txt"), options);
  ASSERT_TRUE(small.ok()) << small.error().to_string();
  EXPECT_FALSE(small->truncated);
  EXPECT_EQ(small->body, "Disallow: /x\n");
  // The connection a cut closed is not reused by mistake: the next fetch still works.
  ASSERT_TRUE(fetcher.fetch(site.url("/robots.txt"), options).ok());

  options.truncate_body = false;
  Result<FetchResponse> refused = fetcher.fetch(site.url("/robots.txt"), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kResourceLimit);
}

}  // namespace
}  // namespace riptide::fetch
