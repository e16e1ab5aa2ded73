# §6 String#tr with ranges, negation and shorter replacement lists.
p "hello".tr("el", "ip")
p "hello".tr("a-y", "b-z")
p "hello".tr("^l", "*")
p "hello".tr("lo", "x")
p "hello".tr("", "x")
p "a-b".tr("-", "_")
p "hello".tr("a-z", "A-Z")
p "abc".tr("cba", "xyz")
