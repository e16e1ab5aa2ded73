# §5: conversion error messages (identical in Ruby 3.1 and 3.4).
begin
  Integer("abc")
rescue ArgumentError => e
  p e.message
end
begin
  Integer(nil)
rescue TypeError => e
  p e.message
end
begin
  Float("x")
rescue ArgumentError => e
  p e.class
end
begin
  1 / 0
rescue ZeroDivisionError => e
  p e.message
end
p 1 % 0 rescue p $!.class
