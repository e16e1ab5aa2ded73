# §3.5: custom exception classes, default message, message override.
class AppError < StandardError; end
class ConfigError < AppError
  def initialize(msg = "config is broken")
    super
  end
end
class CodeError < AppError
  def message
    "code #{super}"
  end
end
begin
  raise ConfigError
rescue AppError => e
  p e.class, e.message, e.is_a?(StandardError)
end
begin
  raise ConfigError, "specific"
rescue => e
  p e.message
end
p CodeError.new("7").message, AppError.new.message, AppError.new("m").inspect
