// libxml2 for the tests of netlab's pictures: parse SVG/XHTML strictly as
// XML (well-formedness), parse a browser's DOM dump as HTML, and query both
// with XPath. Header-only; the test binary links libxml-2.0.
#pragma once

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace netlab::testing {

struct XmlDoc {
  std::shared_ptr<xmlDoc> doc;
  std::string errors;  // what the parser reported, if anything
  explicit operator bool() const { return doc != nullptr; }

  // Elements matching `xpath`; elements are matched by local name so that
  // the XHTML and SVG namespaces need no prefixes: //*[local-name()='svg'].
  std::vector<xmlNodePtr> all(const std::string& xpath, xmlNodePtr context = nullptr) const {
    std::vector<xmlNodePtr> out;
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(xmlXPathNewContext(doc.get()),
                                                                        xmlXPathFreeContext);
    if (context) ctx->node = context;
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> res(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()), xmlXPathFreeObject);
    if (res && res->nodesetval)
      for (int i = 0; i < res->nodesetval->nodeNr; ++i) out.push_back(res->nodesetval->nodeTab[i]);
    return out;
  }
};

inline void collect_error(void* ctx, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  *static_cast<std::string*>(ctx) += buf;
}

// Strict XML: a document that is not well-formed yields an empty XmlDoc.
inline XmlDoc parse_xml(const std::string& text) {
  XmlDoc d;
  xmlSetGenericErrorFunc(&d.errors, collect_error);
  xmlDocPtr p = xmlReadMemory(text.data(), static_cast<int>(text.size()), "netlab.xml", "UTF-8", XML_PARSE_NONET);
  xmlSetGenericErrorFunc(nullptr, nullptr);
  if (p) d.doc.reset(p, xmlFreeDoc);
  return d;
}

// HTML as a browser would (a DOM dump): lenient, never fails on valid HTML5.
inline XmlDoc parse_html(const std::string& text) {
  XmlDoc d;
  htmlDocPtr p = htmlReadMemory(text.data(), static_cast<int>(text.size()), "netlab.html", "UTF-8",
                                HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  if (p) d.doc.reset(p, xmlFreeDoc);
  return d;
}

inline std::string attr(xmlNodePtr n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return "";
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// XPath predicate: the element's class attribute has the word `c`.
inline std::string has_class(const std::string& c) {
  return "contains(concat(' ',normalize-space(@class),' '),' " + c + " ')";
}

}  // namespace netlab::testing
