// `riptide extract --url URL` without a file fetches the page (src/fetch/fetcher.h): the built
// binary is run against the local test site. With a file, --url stays the page's base URL only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/test_http_server.h"

namespace riptide::testing {
namespace {

constexpr const char* kArticle =
    "<!doctype html><html lang=en><head><title>Otters return</title></head><body>"
    "<nav><a href=/>Home</a></nav><article><h1>Otters return</h1>"
    "<p>Otters have returned to the upper reaches of the river for the first time in three "
    "decades, according to a survey carried out by volunteers over the summer months.</p>"
    "<p>The team checked twenty sites between the old mill and the reservoir and found fresh "
    "tracks at fourteen of them, far more than anyone had expected to find.</p>"
    "<p>Read the <a href=\"details\">survey details</a> for the full list of the sites that "
    "the volunteers visited this year.</p></article></body></html>";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the riptide binary with `args` (shell words; the tests pass only URL-safe text).
CliRun riptide(const std::string& args) {
  // CTest runs the tests of this binary as parallel processes: the files are per process.
  std::string base = ::testing::TempDir() + "extract_url_cli." + std::to_string(getpid());
  std::string out = base + ".out";
  std::string err = base + ".err";
  std::string command =
      std::string(RIPTIDE_BINARY) + " extract " + args + " >" + out + " 2>" + err + " </dev/null";
  int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out);
  run.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return run;
}

class ExtractUrlCli : public ::testing::Test {
 protected:
  void SetUp() override {
    site_.route("/news/otters", [](const HttpRequest&) { return html_response(kArticle); });
    site_.route("/old", [](const HttpRequest&) { return redirect_response(301, "/news/otters"); });
    site_.route("/doc.pdf", [](const HttpRequest&) {
      return html_response("%PDF-1.7", 200, "application/pdf");
    });
    // "Привет, мир" in windows-1251, declared only by <meta charset>: decoded once, by the fetcher.
    site_.route("/cp1251", [](const HttpRequest&) {
      return html_response(
          "<html><head><meta charset=windows-1251><title>\xCF\xF0\xE8\xE2\xE5\xF2, "
          "\xEC\xE8\xF0</title></head><body><p>x</p></body></html>",
          200, "text/html");
    });
  }
  TestHttpServer site_;
};

TEST_F(ExtractUrlCli, FetchesFollowsRedirectsAndExtracts) {
  CliRun run = riptide("--url " + site_.url("/old") + " --allow-private-networks --engine native");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"title\": \"Otters return\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Otters have returned to the upper reaches"), std::string::npos);
  // Links resolve against the final URL, after the redirect.
  EXPECT_NE(run.out.find("\"url\": \"" + site_.url("/news/details") + "\""), std::string::npos)
      << run.out;
  EXPECT_EQ(site_.requests_for("/news/otters").size(), 1u);

  CliRun markdown =
      riptide("--url " + site_.url("/news/otters") + " --allow-private-networks --format markdown");
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("\n\nOtters have returned"), std::string::npos) << markdown.out;
  EXPECT_EQ(markdown.out.find("\"title\""), std::string::npos);
}

TEST_F(ExtractUrlCli, DecodesALegacyCharsetOnce) {
  CliRun run =
      riptide("--url " + site_.url("/cp1251") + " --allow-private-networks --mode metadata");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"title\": \"Привет, мир\""), std::string::npos) << run.out;
}

TEST_F(ExtractUrlCli, RefusesTheLocalSiteWithoutTheFlag) {
  CliRun run = riptide("--url " + site_.url("/news/otters"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("riptide extract: blocked_address: " + site_.url("/news/otters")),
            std::string::npos)
      << run.err;
  EXPECT_EQ(site_.request_count(), 0u);
}

TEST_F(ExtractUrlCli, ReportsFetchErrorsClearly) {
  CliRun pdf = riptide("--url " + site_.url("/doc.pdf") + " --allow-private-networks");
  EXPECT_EQ(pdf.exit_code, 1);
  EXPECT_NE(pdf.err.find("unsupported_content_type"), std::string::npos) << pdf.err;
  EXPECT_NE(pdf.err.find("application/pdf"), std::string::npos) << pdf.err;

  CliRun missing = riptide("--url " + site_.url("/missing") + " --allow-private-networks");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("fetch_failed"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("HTTP status 404"), std::string::npos) << missing.err;

  CliRun scheme = riptide("--url ftp://example.com/");
  EXPECT_EQ(scheme.exit_code, 1);
  EXPECT_NE(scheme.err.find("invalid_argument"), std::string::npos) << scheme.err;

  CliRun jsonl =
      riptide("--url " + site_.url("/missing") + " --allow-private-networks --format jsonl");
  EXPECT_EQ(jsonl.exit_code, 1);
  EXPECT_NE(jsonl.out.find("\"error\":{\"code\":\"fetch_failed\""), std::string::npos) << jsonl.out;
}

TEST_F(ExtractUrlCli, WithAFileTheUrlIsOnlyTheBase) {
  std::string file =
      ::testing::TempDir() + "extract_url_cli_page." + std::to_string(getpid()) + ".html";
  std::ofstream(file) << kArticle;
  CliRun run = riptide(file + " --url " + site_.url("/elsewhere/page"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(site_.url("/elsewhere/details")), std::string::npos) << run.out;
  EXPECT_EQ(site_.request_count(), 0u);

  CliRun flag = riptide(file + " --url " + site_.url("/x") + " --allow-private-networks");
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("--allow-private-networks applies only to fetching"), std::string::npos);
  std::remove(file.c_str());
}

}  // namespace
}  // namespace riptide::testing
