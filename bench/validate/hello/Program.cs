Console.Out.WriteLine("hello");
