# defaults/*.conf: candidates with a missing third element passed on as
# &spec_detector; a detector taking (configuration, name, &block) and
# apply(self) do |milter| ... end.
class FakeDetector
  def initialize(configuration, name, &spec)
    @configuration = configuration
    @name = name
    @spec = spec
  end
  def detect
    @enabled = @name.include?("milter")
  end
  def apply(loader)
    return unless @enabled
    milter = Object.new
    class << milter
      attr_accessor :name, :applicable_conditions
    end
    milter.name = @name
    yield(milter)
    loader.instance_variable_get(:@applied) << [milter.name, milter.applicable_conditions, @spec.nil?]
  end
end
@applied = []
configuration = :configuration
candidates = [
  ["milter-greylist", ["Sendmail Compatible", "Trust", "S25R"]],
  ["clamav-milter", []],
  ["opendkim", []],
]
candidates.each do |candidate, conditions, spec_detector|
  detector = FakeDetector.new(configuration, candidate, &spec_detector)
  detector.detect
  detector.apply(self) do |milter|
    milter.applicable_conditions = conditions
  end
end
p @applied
