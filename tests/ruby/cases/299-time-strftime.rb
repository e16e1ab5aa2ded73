# §8.2: strftime directives %Y %m %d %e %H %M %S %L %z %Z %a %A %b %B %j %s %%
t = Time.at(1_709_251_384).utc
p t.strftime("%Y-%m-%d %H:%M:%S")
p t.strftime("%e|%L|%z|%Z|%a|%A|%b|%B|%j|%s|%%")
p Time.at(5.25).utc.strftime("%S.%L")
p Time.at(0).utc.strftime("[%d/%b/%Y:%H:%M:%S %z]")
p Time.at(7 * 86_400).utc.strftime("%a %e %j")
