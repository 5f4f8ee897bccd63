#include "crawl/frontier.h"

#include <algorithm>

#include "core/strings.h"

namespace riptide::crawl {
namespace {

constexpr int kBaseScore = 100;
constexpr int kSegmentPenalty = 10;
constexpr int kParameterPenalty = 5;
constexpr int kPaginationPenalty = 30;

bool is_number(std::string_view s) {
  return !s.empty() && str::parse_uint(s).has_value();
}

// "page2", "page-2", "page_2".
bool is_page_segment(std::string_view segment) {
  if (!str::istarts_with(segment, "page")) return false;
  segment.remove_prefix(4);
  if (!segment.empty() && (segment.front() == '-' || segment.front() == '_')) {
    segment.remove_prefix(1);
  }
  return is_number(segment);
}

bool is_pagination_parameter(std::string_view pair) {
  const size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string_view name = pair.substr(0, eq);
  return (str::iequals(name, "page") || str::iequals(name, "p") || str::iequals(name, "pg") ||
          str::iequals(name, "offset") || str::iequals(name, "start")) &&
         is_number(pair.substr(eq + 1));
}

std::string politeness_key(const url::Url& url) {
  return std::string(url.host());
}

}  // namespace

std::string_view add_result_name(AddResult result) {
  switch (result) {
    case AddResult::kAdded:
      return "added";
    case AddResult::kDuplicate:
      return "duplicate";
    case AddResult::kInvalid:
      return "invalid";
    case AddResult::kTooLong:
      return "too_long";
    case AddResult::kOutOfScope:
      return "out_of_scope";
    case AddResult::kExcluded:
      return "excluded";
    case AddResult::kNotIncluded:
      return "not_included";
    case AddResult::kTooDeep:
      return "too_deep";
    case AddResult::kOverBudget:
      return "over_budget";
  }
  return "invalid";
}

int url_score(const url::Url& url) {
  int segments = 0;
  bool pagination = false;
  const std::vector<std::string_view> parts = str::split(url.pathname(), '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    ++segments;
    const bool numbered_next = i + 1 < parts.size() && is_number(parts[i + 1]);
    if (((parts[i] == "page" || parts[i] == "p") && numbered_next) || is_page_segment(parts[i])) {
      pagination = true;
    }
  }
  int parameters = 0;
  if (url.has_query() && !url.query().empty()) {
    for (std::string_view pair : str::split(url.query(), '&')) {
      if (pair.empty()) continue;
      ++parameters;
      pagination |= is_pagination_parameter(pair);
    }
  }
  return kBaseScore - kSegmentPenalty * segments - kParameterPenalty * parameters -
         (pagination ? kPaginationPenalty : 0);
}

Frontier::Frontier(FrontierConfig config, UrlFilter filter)
    : config_(std::move(config)),
      filter_(std::move(filter)),
      budget_used_(config_.filter.budgets.size(), 0) {}

Result<std::unique_ptr<Frontier>> Frontier::create(FrontierConfig config,
                                                   const std::vector<std::string>& seeds) {
  auto filter = UrlFilter::create(config.filter, seeds);
  if (!filter.ok()) return filter.error();
  std::unique_ptr<Frontier> frontier(new Frontier(std::move(config), std::move(filter).value()));
  std::lock_guard lock(frontier->mutex_);
  for (const std::string& seed : frontier->filter_.seeds()) {
    auto url = url::parse(seed);
    if (!url.ok() || frontier->filter_.check_scope(*url) != Verdict::kAccepted) continue;
    if (!frontier->seen_.insert(seed).second) continue;
    if (auto budget = frontier->filter_.budget_for(*url)) {
      if (frontier->budget_used_[*budget] >= frontier->config_.filter.budgets[*budget].max_pages) {
        continue;
      }
      ++frontier->budget_used_[*budget];
    }
    frontier->enqueue(politeness_key(*url), frontier->key_for(*url, 0), Queued{seed, 0, 0});
  }
  return frontier;
}

Result<std::unique_ptr<Frontier>> Frontier::restore(FrontierConfig config,
                                                    const FrontierState& state) {
  if (state.budget_used.size() != config.filter.budgets.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "frontier state: budget counts do not match the configured budgets");
  }
  auto filter = UrlFilter::create(config.filter, state.seeds);
  if (!filter.ok()) return filter.error();
  std::unique_ptr<Frontier> frontier(new Frontier(std::move(config), std::move(filter).value()));
  std::lock_guard lock(frontier->mutex_);
  frontier->handed_out_ = state.pages_handed_out;
  frontier->budget_used_ = state.budget_used;
  for (const auto& [host, ms] : state.host_delays_ms) {
    frontier->hosts_[host].delay = std::chrono::milliseconds(ms);
  }
  frontier->seen_.insert(state.finished.begin(), state.finished.end());
  for (const FrontierState::Entry& entry : state.pending) {
    auto url = url::parse(entry.url);
    if (!url.ok()) {
      return Error(ErrorCode::kInvalidArgument, "frontier state: bad URL " + entry.url);
    }
    if (!frontier->seen_.insert(entry.url).second) continue;
    frontier->enqueue(politeness_key(*url), frontier->key_for(*url, entry.depth),
                      Queued{entry.url, entry.depth, entry.attempts});
  }
  return frontier;
}

Frontier::Key Frontier::key_for(const url::Url& url, uint32_t depth) {
  int64_t rank = depth;
  if (config_.order == Order::kBestFirst) {
    // Score first (higher first), depth second: depth stays below 2^32.
    rank = -static_cast<int64_t>(url_score(url)) * (int64_t{1} << 32) + depth;
  }
  return Key{rank, next_sequence_++};
}

void Frontier::enqueue(const std::string& host, Key key, Queued entry) {
  Host& state = hosts_[host];
  std::optional<Key> old_head;
  if (!state.queue.empty()) old_head = state.queue.begin()->first;
  if (entry.attempts > 0) ++retries_queued_;
  state.queue.emplace(key, std::move(entry));
  ++queued_;
  update_head(host, state, old_head);
}

void Frontier::update_head(const std::string& host, const Host& state,
                           std::optional<Key> old_head) {
  std::optional<Key> new_head;
  if (!state.queue.empty()) new_head = state.queue.begin()->first;
  if (old_head == new_head) return;
  if (old_head) heads_.erase({*old_head, host});
  if (new_head) heads_.insert({*new_head, host});
}

Duration Frontier::delay_of(const Host& host) const {
  return host.delay.value_or(config_.host_delay);
}

bool Frontier::limit_reached() const {
  return config_.max_pages != 0 && handed_out_ >= config_.max_pages;
}

AddResult Frontier::add(std::string_view link, const url::Url* base, uint32_t depth) {
  auto url = filter_.canonicalize(link, base);
  if (!url.ok()) return AddResult::kInvalid;
  switch (filter_.check(*url)) {
    case Verdict::kAccepted:
      break;
    case Verdict::kInvalid:
      return AddResult::kInvalid;
    case Verdict::kTooLong:
      return AddResult::kTooLong;
    case Verdict::kOutOfScope:
      return AddResult::kOutOfScope;
    case Verdict::kExcluded:
      return AddResult::kExcluded;
    case Verdict::kNotIncluded:
      return AddResult::kNotIncluded;
  }
  if (depth > config_.max_depth) return AddResult::kTooDeep;
  const std::optional<size_t> budget = filter_.budget_for(*url);
  std::string canonical(url->href());

  std::lock_guard lock(mutex_);
  if (seen_.contains(canonical)) return AddResult::kDuplicate;
  if (budget) {
    if (budget_used_[*budget] >= config_.filter.budgets[*budget].max_pages) {
      return AddResult::kOverBudget;
    }
    ++budget_used_[*budget];
  }
  seen_.insert(canonical);
  enqueue(politeness_key(*url), key_for(*url, depth), Queued{std::move(canonical), depth, 0});
  return AddResult::kAdded;
}

bool Frontier::extend_scope_for_seed(std::string_view seed, std::string_view final_url) {
  if (!filter_.is_seed(seed)) return false;
  auto target = filter_.canonicalize(final_url);
  if (!target.ok() || filter_.check_scope(*target) != Verdict::kOutOfScope) return false;
  filter_.extend_scope(*target);
  return true;
}

bool Frontier::add_fetched(std::string_view url) {
  auto canonical = filter_.canonicalize(url);
  if (!canonical.ok() || filter_.check_scope(*canonical) != Verdict::kAccepted) return false;
  std::lock_guard lock(mutex_);
  return seen_.insert(std::string(canonical->href())).second;
}

NextResult Frontier::next(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const bool limited = limit_reached();
  // Past max_pages only retries of pages already counted may go out.
  if (queued_ == 0 || (limited && retries_queued_ == 0)) {
    NextResult result;
    result.kind = in_flight_.empty() ? NextResult::Kind::kFinished : NextResult::Kind::kBusy;
    return result;
  }
  std::optional<Clock::time_point> earliest;
  for (const auto& [head, host_name] : heads_) {
    Host& host = hosts_.at(host_name);
    if (host.in_flight >= config_.host_concurrency) continue;
    if (host.next_allowed > now) {
      if (!earliest || host.next_allowed < *earliest) earliest = host.next_allowed;
      continue;
    }
    auto entry = host.queue.begin();
    if (limited) {
      entry = std::find_if(host.queue.begin(), host.queue.end(),
                           [](const auto& e) { return e.second.attempts > 0; });
      if (entry == host.queue.end()) continue;
    }
    const std::string name = host_name;  // heads_ changes below
    const Key key = entry->first;
    Queued queued = std::move(entry->second);
    const Key old_head = host.queue.begin()->first;
    host.queue.erase(entry);
    update_head(name, host, old_head);
    --queued_;
    if (queued.attempts > 0) {
      --retries_queued_;
    } else {
      ++handed_out_;
    }
    ++queued.attempts;
    ++host.in_flight;
    const Clock::time_point before = host.next_allowed;
    host.next_allowed = now + delay_of(host);
    in_flight_[queued.url] =
        InFlight{key, name, queued.depth, queued.attempts, before, host.next_allowed};

    NextResult result;
    result.kind = NextResult::Kind::kUrl;
    result.item = FrontierItem{std::move(queued.url), name, queued.depth, queued.attempts};
    return result;
  }
  NextResult result;
  if (earliest) {
    result.kind = NextResult::Kind::kWait;
    result.ready_at = *earliest;
  } else {
    result.kind = in_flight_.empty() ? NextResult::Kind::kFinished : NextResult::Kind::kBusy;
  }
  return result;
}

void Frontier::done(const FrontierItem& item, Clock::time_point now, const FetchOutcome& outcome) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(item.url);
  if (it == in_flight_.end()) return;  // not handed out, or reported twice: nothing to undo
  InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  Host& host = hosts_.at(flight.host);
  --host.in_flight;
  if (outcome.kind == FetchOutcome::Kind::kSkipped) {
    if (flight.attempts == 1) --handed_out_;
    // No request went out: give the host its slot back, unless another hand-out moved it since.
    if (host.next_allowed == flight.next_allowed_after)
      host.next_allowed = flight.next_allowed_before;
    return;
  }
  Clock::time_point next_allowed = now + delay_of(host);
  if (outcome.kind == FetchOutcome::Kind::kThrottled) {
    // Exponential back-off from max(delay, kMinBackoff): 1x, 2x, 4x... per consecutive throttled
    // answer; Retry-After wins when longer; both capped by kMaxBackoff.
    host.backoff_level = std::min<uint32_t>(host.backoff_level + 1, 32);
    Duration wait = std::max(delay_of(host), Duration(kMinBackoff));
    for (uint32_t i = 1; i < host.backoff_level && wait < kMaxBackoff; ++i) wait *= 2;
    if (outcome.retry_after) wait = std::max(wait, *outcome.retry_after);
    next_allowed = now + std::min(wait, Duration(kMaxBackoff));
    if (flight.attempts < kMaxFetchAttempts) {
      enqueue(flight.host, flight.key, Queued{item.url, flight.depth, flight.attempts});
    }
  } else if (outcome.kind == FetchOutcome::Kind::kOk) {
    host.backoff_level = 0;
  }
  host.next_allowed = std::max(host.next_allowed, next_allowed);
}

void Frontier::set_host_delay(std::string_view host, Duration delay) {
  std::lock_guard lock(mutex_);
  hosts_[std::string(host)].delay = delay;
}

FrontierState Frontier::snapshot() const {
  std::lock_guard lock(mutex_);
  FrontierState state;
  state.seeds = filter_.seeds();
  state.pages_handed_out = handed_out_;
  state.budget_used = budget_used_;
  std::vector<std::pair<Key, FrontierState::Entry>> pending;
  for (const auto& [url, flight] : in_flight_) {
    pending.push_back({flight.key, {url, flight.depth, flight.attempts}});
  }
  for (const auto& [name, host] : hosts_) {
    for (const auto& [key, queued] : host.queue) {
      pending.push_back({key, {queued.url, queued.depth, queued.attempts}});
    }
    if (host.delay) {
      state.host_delays_ms.emplace_back(
          name, std::chrono::duration_cast<std::chrono::milliseconds>(*host.delay).count());
    }
  }
  std::sort(pending.begin(), pending.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  state.pending.reserve(pending.size());  // pending_urls views these strings: no reallocation
  std::unordered_set<std::string_view> pending_urls;
  for (auto& [key, entry] : pending) {
    state.pending.push_back(std::move(entry));
    pending_urls.insert(state.pending.back().url);
  }
  for (const std::string& url : seen_) {
    if (!pending_urls.contains(url)) state.finished.push_back(url);
  }
  std::sort(state.finished.begin(), state.finished.end());
  std::sort(state.host_delays_ms.begin(), state.host_delays_ms.end());
  return state;
}

Frontier::Counts Frontier::counts() const {
  std::lock_guard lock(mutex_);
  return Counts{queued_, in_flight_.size(), handed_out_, seen_.size()};
}

}  // namespace riptide::crawl
