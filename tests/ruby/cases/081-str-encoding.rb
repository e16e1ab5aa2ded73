# §6 String: encoding force_encoding valid_encoding? unicode_normalize
s = "héllo"
p s.encoding == Encoding::UTF_8
puts s.encoding
p s.force_encoding("UTF-8").equal?(s)
p s.valid_encoding?
p "e\u0301".unicode_normalize == "\u00e9"
p "\u00e9".unicode_normalize(:nfd).length
p "ﬁ".unicode_normalize(:nfkc)
p "abc".unicode_normalize
