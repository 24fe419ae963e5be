# Runs wapiti 3.0.4 with its -x (exclude) fixed for Python 3.11 (its wildcard regex puts
# the (?ms) flags at the end, which 3.11 refuses).
import re, sys
import wapitiCore.net.crawler as crawler
def wildcard_translate(pattern):
    return re.compile("(?ms)" + ".*".join(re.escape(p) for p in pattern.split("*")) + r"\Z")
crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
wapiti_main()
