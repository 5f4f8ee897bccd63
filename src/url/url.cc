// Placeholder translation unit; the WHATWG URL parser replaces it.
namespace riptide::url {}
