# §8.3: invalid addresses raise IPAddr::InvalidAddressError (an
# ArgumentError).
require "ipaddr"
["foo", "256.1.1.1", "1.2.3", "10.0.0.1/33", ""].each do |s|
  begin
    IPAddr.new(s)
    p [s, :ok]
  rescue IPAddr::InvalidAddressError => e
    p [s, :invalid, e.is_a?(ArgumentError)]
  end
end
